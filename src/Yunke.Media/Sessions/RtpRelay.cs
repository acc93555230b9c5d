using System.Runtime.CompilerServices;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;

namespace Yunke.Media.Sessions;

/// <summary>
/// Bridges two sessions (the legs of a call): each RTP packet received on one is sent on the other, on
/// the receiving loop, with no allocation. Each leg's outgoing stream renumbers what it sends (one SSRC,
/// continuous sequence numbers and timestamps across re-INVITEs and source changes); audio in a codec the
/// other leg did not negotiate is transcoded to the one it sends (G.711 µ-law ↔ A-law by table);
/// telephone events pass with the other leg's payload type. Packets of payload types the other leg cannot
/// take are dropped.
/// </summary>
public sealed class RtpRelay : IDisposable
{
    private long forwarded, transcoded, dropped;

    public RtpRelay(RtpSession a, RtpSession b)
    {
        A = a;
        B = b;
        a.PacketReceived += OnPacketFromA;
        b.PacketReceived += OnPacketFromB;
    }

    public RtpSession A { get; }
    public RtpSession B { get; }
    /// <summary>False holds or mutes what A says (B hears nothing); the stream simply stops and resumes.</summary>
    public bool ForwardAToB { get; set; } = true;
    public bool ForwardBToA { get; set; } = true;

    public long Forwarded => Interlocked.Read(ref forwarded);
    public long Transcoded => Interlocked.Read(ref transcoded);
    public long Dropped => Interlocked.Read(ref dropped);

    private void OnPacketFromA(RtpSession from, RtpPacket packet)
    {
        if (ForwardAToB) Forward(from, packet, B);
    }

    private void OnPacketFromB(RtpSession from, RtpPacket packet)
    {
        if (ForwardBToA) Forward(from, packet, A);
    }

    private void Forward(RtpSession from, RtpPacket packet, RtpSession to)
    {
        if (!TryForward(from, packet, to)) Interlocked.Increment(ref dropped);
    }

    // The packet buffer is written in full before it is sent: zeroing its 1412 bytes first is wasted work per packet.
    [SkipLocalsInit]
    internal bool TryForward(RtpSession from, RtpPacket packet, RtpSession to)
    {
        var target = to.Peer;
        var format = (from.Peer?.Codecs ?? CodecRegistry.Default)[packet.PayloadType];
        if (target is null || format is null || packet.PayloadLength > 1400) return false;

        // Header extensions and CSRCs describe the hop the packet came over: they are not passed on.
        Span<byte> buffer = stackalloc byte[RtpPacket.FixedHeaderSize + 1400];
        var payload = packet.Payload;
        var output = buffer.Slice(RtpPacket.FixedHeaderSize, payload.Length);
        int payloadType;
        if (target.Codecs.Find(format.Name, format.ClockRate) is { } same)
        {
            payloadType = same.PayloadType;
            payload.CopyTo(output);
        }
        else if (format.Codec is { } codec && target.Audio.Codec is { } targetCodec)
        {
            payloadType = target.AudioPayloadType;
            output = buffer[RtpPacket.FixedHeaderSize..];
            var length = Transcode(codec, payload, targetCodec, output);
            if (length < 0) return false;
            output = output[..length];
            Interlocked.Increment(ref transcoded);
        }
        else return false;

        new RtpHeader((byte)payloadType, packet.SequenceNumber, packet.Timestamp, packet.Ssrc, packet.Marker).WriteFixedHeader(buffer);
        if (!to.Send(buffer[..(RtpPacket.FixedHeaderSize + output.Length)])) return false;
        Interlocked.Increment(ref forwarded);
        return true;
    }

    /// <summary>Returns the bytes written, or -1 when the result would not fit.</summary>
    private static int Transcode(AudioCodec from, ReadOnlySpan<byte> payload, AudioCodec to, Span<byte> output)
    {
        if (from == AudioCodec.Pcmu && to == AudioCodec.Pcma)
        {
            G711.MuLawToALaw(payload, output);
            return payload.Length;
        }
        if (from == AudioCodec.Pcma && to == AudioCodec.Pcmu)
        {
            G711.ALawToMuLaw(payload, output);
            return payload.Length;
        }
        var samples = from.SampleCount(payload.Length);
        if (samples > 1400 || from.ClockRate != to.ClockRate || to.PayloadLength(samples) > output.Length) return -1;
        Span<short> pcm = stackalloc short[samples];
        from.Decode(payload, pcm);
        return to.Encode(pcm, output);
    }

    /// <summary>Stops relaying; the sessions stay open.</summary>
    public void Dispose()
    {
        A.PacketReceived -= OnPacketFromA;
        B.PacketReceived -= OnPacketFromB;
    }
}
