using System.Buffers.Binary;
using Yunke.Media.Rtp;

namespace Yunke.Media.Srtp;

/// <summary>
/// SRTP and SRTCP (RFC 3711) for one direction under one master key: what Yunke sends (<c>Protect</c>) or what it
/// receives (<c>Unprotect</c>), for every SSRC in it. Profiles AES_CM_128_HMAC_SHA1_80 and _32; SRTCP always
/// carries the 80-bit tag (RFC 5764 4.1.2). Works in place on the datagram's buffer and allocates nothing per
/// packet, except once for each new SSRC.
/// </summary>
/// <remarks>
/// Unprotect never throws on what the network sends: a bad packet gets a <see cref="SrtpResult"/> and is left
/// as it came. Protect throws only for the caller's mistakes (no room for the tag, not RTP/RTCP). Calls are
/// serialised by a lock, because a relay's RTP (from the other leg's receive thread) and the RTCP reports (from
/// a timer) may protect for the same leg at once.
/// </remarks>
public sealed class SrtpContext : IDisposable
{
    /// <summary>What SRTCP adds to an RTCP packet: E flag and index (4 bytes) and the 80-bit tag.</summary>
    public const int RtcpOverhead = SrtcpIndexLength + SrtpSessionCipher.FullTagLength;

    private const int SrtcpIndexLength = 4;
    private const int RtcpHeaderLength = 8;    // V/P/RC, PT, length, sender SSRC: in clear (RFC 3711 3.4)
    private const uint EncryptedFlag = 0x8000_0000;
    private const uint MaxSrtcpIndex = 0x7FFF_FFFF;

    private readonly SrtpSessionCipher rtp;
    private readonly SrtpSessionCipher rtcp;
    private readonly Dictionary<uint, Source> sources = [];
    private readonly Lock gate = new();

    public SrtpContext(SrtpMasterKey masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        if (masterKey.Key?.Length != SrtpSessionKeys.EncryptionKeyLength) throw new ArgumentException("An AES_CM_128 master key has 16 bytes.", nameof(masterKey));
        if (masterKey.Salt?.Length != SrtpSessionKeys.SaltLength) throw new ArgumentException("An SRTP master salt has 14 bytes.", nameof(masterKey));
        Profile = masterKey.Profile;
        RtpOverhead = Profile switch
        {
            SrtpProfile.AesCm128HmacSha1_80 => 10,
            SrtpProfile.AesCm128HmacSha1_32 => 4,
            _ => throw new ArgumentException($"SRTP profile {Profile} is not supported.", nameof(masterKey)),
        };
        rtp = new SrtpSessionCipher(SrtpSessionKeys.ForRtp(masterKey));
        rtcp = new SrtpSessionCipher(SrtpSessionKeys.ForRtcp(masterKey));
    }

    public SrtpProfile Profile { get; }

    /// <summary>What SRTP adds to an RTP packet: the authentication tag, 10 or 4 bytes.</summary>
    public int RtpOverhead { get; }

    /// <summary>
    /// Encrypts the payload (and padding) of the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>]
    /// and appends the tag; <paramref name="protectedLength"/> is then the SRTP packet's length. Header, CSRCs and
    /// header extension stay in clear but are authenticated (RFC 3711 3.1).
    /// </summary>
    /// <returns>
    /// <see cref="SrtpResult.Ok"/>, or <see cref="SrtpResult.Replayed"/> / <see cref="SrtpResult.TooOld"/> for a
    /// sequence number sent already or too far back to tell: such a packet must be dropped, as its keystream may
    /// have served another packet (and the receiver would refuse it anyway).
    /// </returns>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        if ((uint)length > (uint)buffer.Length || !RtpPacket.TryReadHeaderLength(buffer[..length], out var header))
            throw new ArgumentException("Not an RTP packet.", nameof(buffer));
        if (buffer.Length < length + RtpOverhead) throw new ArgumentException($"No room for the {RtpOverhead}-byte tag.", nameof(buffer));

        protectedLength = 0;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        lock (gate)
        {
            var source = SourceOf(ssrc);
            // The sender keeps its rollover counter the way a receiver estimates it (RFC 3711 3.3.1), so a packet
            // sent out of order keeps its index rather than bumping the counter.
            var estimate = source.Rtp.EstimateRtpIndex(sequence);
            if (estimate < 0) return SrtpResult.TooOld;
            var index = (ulong)estimate;
            var refused = source.Rtp.Check(index);
            if (refused != SrtpResult.Ok) return refused;
            source.Rtp.Accept(index);

            rtp.Transform(ssrc, index, buffer[header..length]);
            Span<byte> roc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
            rtp.Sign(buffer[..length], roc, buffer.Slice(length, RtpOverhead));
        }
        protectedLength = length + RtpOverhead;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Authenticates and decrypts the SRTP packet in <paramref name="packet"/> (the whole datagram); on
    /// <see cref="SrtpResult.Ok"/>, <paramref name="length"/> is the RTP packet's length (the tag taken off).
    /// Replayed packets and packets behind the 64-packet window are refused before any crypto.
    /// </summary>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < RtpPacket.FixedHeaderSize + RtpOverhead) return SrtpResult.Malformed;
        var body = packet[..^RtpOverhead];
        if (!RtpPacket.TryReadHeaderLength(body, out var header)) return SrtpResult.Malformed;

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        lock (gate)
        {
            // A source is remembered only once a packet of it authenticates, so forged SSRCs cost no memory.
            sources.TryGetValue(ssrc, out var source);
            var window = source?.Rtp ?? default;
            var estimate = window.EstimateRtpIndex(sequence);
            if (estimate < 0) return SrtpResult.TooOld;
            var index = (ulong)estimate;
            var replay = window.Check(index);
            if (replay != SrtpResult.Ok) return replay;

            Span<byte> roc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
            if (!rtp.Verify(body, roc, packet[^RtpOverhead..])) return SrtpResult.AuthenticationFailed;

            rtp.Transform(ssrc, index, body[header..]);
            (source ?? Remember(ssrc)).Rtp.Accept(index);
        }
        length = body.Length;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Encrypts the RTCP (compound) packet in <paramref name="buffer"/>[..<paramref name="length"/>] after its first
    /// 8 bytes, appends E flag + SRTCP index and the 80-bit tag; returns the SRTCP packet's length
    /// (<paramref name="length"/> + <see cref="RtcpOverhead"/>).
    /// </summary>
    public int ProtectRtcp(Span<byte> buffer, int length)
    {
        if ((uint)length > (uint)buffer.Length || length < RtcpHeaderLength || buffer[0] >> 6 != 2)
            throw new ArgumentException("Not an RTCP packet.", nameof(buffer));
        if (buffer.Length < length + RtcpOverhead) throw new ArgumentException($"No room for the {RtcpOverhead} bytes of SRTCP.", nameof(buffer));

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        lock (gate)
        {
            var source = SourceOf(ssrc);
            // Incremented before use, as libsrtp does: the first SRTCP packet carries index 1.
            if (source.SentRtcpIndex == MaxSrtcpIndex)
                throw new InvalidOperationException("The SRTCP index is spent (2^31 packets): the master key must be replaced (RFC 3711 9.2).");
            var index = ++source.SentRtcpIndex;
            rtcp.Transform(ssrc, index, buffer[RtcpHeaderLength..length]);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], EncryptedFlag | index);
            var authenticated = length + SrtcpIndexLength;
            rtcp.Sign(buffer[..authenticated], default, buffer.Slice(authenticated, SrtpSessionCipher.FullTagLength));
        }
        return length + RtcpOverhead;
    }

    /// <summary>
    /// Authenticates and (when its E flag says so) decrypts the SRTCP packet in <paramref name="packet"/>; on
    /// <see cref="SrtpResult.Ok"/>, <paramref name="length"/> is the RTCP packet's length.
    /// </summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < RtcpHeaderLength + RtcpOverhead || packet[0] >> 6 != 2) return SrtpResult.Malformed;
        var authenticated = packet[..^SrtpSessionCipher.FullTagLength];
        var word = BinaryPrimitives.ReadUInt32BigEndian(authenticated[^SrtcpIndexLength..]);
        var index = word & MaxSrtcpIndex;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        lock (gate)
        {
            sources.TryGetValue(ssrc, out var source);
            var window = source?.Rtcp ?? default;
            var replay = window.Check(index);
            if (replay != SrtpResult.Ok) return replay;
            if (!rtcp.Verify(authenticated, default, packet[^SrtpSessionCipher.FullTagLength..])) return SrtpResult.AuthenticationFailed;

            // E = 0: the sender chose to authenticate only (RFC 3711 3.4); the packet is in clear.
            if ((word & EncryptedFlag) != 0) rtcp.Transform(ssrc, index, packet[RtcpHeaderLength..^RtcpOverhead]);
            (source ?? Remember(ssrc)).Rtcp.Accept(index);
        }
        length = packet.Length - RtcpOverhead;
        return SrtpResult.Ok;
    }

    public void Dispose()
    {
        rtp.Dispose();
        rtcp.Dispose();
    }

    private Source SourceOf(uint ssrc) => sources.TryGetValue(ssrc, out var source) ? source : Remember(ssrc);

    private Source Remember(uint ssrc)
    {
        var source = new Source();
        sources[ssrc] = source;
        return source;
    }

    /// <summary>One SSRC's counters: for a sending context the highest RTP index and the SRTCP index sent, for a receiving one the replay windows.</summary>
    private sealed class Source
    {
        public ReplayWindow Rtp;
        public ReplayWindow Rtcp;
        public uint SentRtcpIndex;
    }
}
