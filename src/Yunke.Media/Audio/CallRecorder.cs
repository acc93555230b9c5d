using System.Runtime.CompilerServices;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;

namespace Yunke.Media.Audio;

/// <summary>
/// Records a call into one 8 kHz 16-bit mono WAV, both directions mixed, written as the call goes.
/// Each party's audio is placed on the call's timeline by its RTP timestamps, anchored at the arrival of
/// its first packet (and again when its source changes or drifts off, e.g. after a re-INVITE), so
/// jitter does not shift it and gaps become silence. Audio is held back <see cref="Latency"/> for late
/// packets, then mixed and written. Thread-safe: both legs' receive loops feed it.
/// </summary>
public sealed class CallRecorder : IDisposable
{
    public const int SampleRate = 8000;
    // The mixing window: 1 s ahead of what is written, room for the latency and a burst (the ring is one call's
    // memory: 32 KB, so 2000 calls need 64 MB).
    private const int Capacity = SampleRate;

    private readonly Lock gate = new();
    private readonly WavWriter writer;
    private readonly TimeProvider time;
    private readonly long started;
    private readonly int latencySamples;
    private readonly int[] ring = new int[Capacity];
    private readonly short[] flushBuffer = new short[1024];
    private readonly Dictionary<int, Party> parties = [];
    private readonly List<(RtpSession Session, RtpPacketHandler Handler)> attached = [];
    private long written; // timeline position (in samples) up to which the file is written
    private long end;     // furthest sample any party reached
    private bool disposed;

    /// <param name="output">Where the WAV goes; seekable, so the header is finalised at the end.</param>
    public CallRecorder(Stream output, TimeProvider? time = null, TimeSpan? latency = null)
    {
        this.time = time ?? TimeProvider.System;
        writer = new WavWriter(output, SampleRate);
        started = this.time.GetTimestamp();
        Latency = latency ?? TimeSpan.FromMilliseconds(300);
        latencySamples = (int)(Latency.TotalSeconds * SampleRate);
    }

    /// <summary>
    /// Records into a new file. Writes happen on the receive loops, so the file is buffered by 64 KB
    /// (one write every 4 s of call): the loops seldom touch the disk.
    /// </summary>
    public static CallRecorder Create(string path, TimeProvider? time = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 64 * 1024), time);

    public TimeSpan Latency { get; }
    /// <summary>How much audio the file holds so far.</summary>
    public TimeSpan Written { get { lock (gate) return TimeSpan.FromSeconds((double)written / SampleRate); } }

    /// <summary>Records what <paramref name="session"/> receives (one direction of the call).</summary>
    public void Attach(RtpSession session)
    {
        var party = session.LocalEndPoint.Port;
        // Decode writes every sample of the stack buffer: no zeroing first.
        RtpPacketHandler handler = [SkipLocalsInit] (s, packet) =>
        {
            var codec = (s.Peer?.Codecs ?? CodecRegistry.Default)[packet.PayloadType]?.Codec;
            if (codec is null || codec.ClockRate != SampleRate) return; // telephone events, unknown formats
            var count = codec.SampleCount(packet.PayloadLength);
            if (count > 2048) return;
            Span<short> samples = stackalloc short[count];
            codec.Decode(packet.Payload, samples);
            Write(party, packet.Ssrc, packet.Timestamp, samples);
        };
        session.PacketReceived += handler;
        lock (gate) attached.Add((session, handler));
    }

    /// <summary>Adds audio of one party (any number naming it) stamped with its RTP timestamp.</summary>
    public void Write(int party, uint ssrc, uint timestamp, ReadOnlySpan<short> samples)
    {
        lock (gate)
        {
            if (disposed) return;
            var now = Now();
            if (!parties.TryGetValue(party, out var p) || p.Ssrc != ssrc || Drifted(p, timestamp, now))
                parties[party] = p = new Party(ssrc, timestamp, now);
            var position = p.AnchorPosition + unchecked((int)(timestamp - p.AnchorTimestamp));
            if (position < written)
            {
                // Partly too late: what is already written stays.
                var skip = (int)Math.Min(samples.Length, written - position);
                samples = samples[skip..];
                position += skip;
            }
            if (position + samples.Length > written + Capacity) FlushTo(position + samples.Length - Capacity);
            // Added in at most two runs (the ring's end, then its start): no division per sample.
            var start = (int)(position % Capacity);
            var first = Math.Min(samples.Length, Capacity - start);
            Add(ring.AsSpan(start, first), samples[..first]);
            Add(ring.AsSpan(0, samples.Length - first), samples[first..]);
            end = Math.Max(end, position + samples.Length);
            FlushTo(now - latencySamples);
        }
    }

    // More than 1 s off the arrival clock: the timestamps jumped (a new stream with the same SSRC) or the peer's clock runs off.
    private static bool Drifted(Party p, uint timestamp, long now)
    {
        var position = p.AnchorPosition + unchecked((int)(timestamp - p.AnchorTimestamp));
        return Math.Abs(position - now) > SampleRate;
    }

    private long Now() => (long)(time.GetElapsedTime(started).TotalSeconds * SampleRate);

    private static void Add(Span<int> mix, ReadOnlySpan<short> samples)
    {
        for (var i = 0; i < samples.Length; i++) mix[i] += samples[i];
    }

    private void FlushTo(long position)
    {
        while (written < position)
        {
            // One run of the ring at a time, up to its end and at most a buffer.
            var start = (int)(written % Capacity);
            var count = (int)Math.Min(Math.Min(position - written, flushBuffer.Length), Capacity - start);
            var mix = ring.AsSpan(start, count);
            var output = flushBuffer.AsSpan(0, count);
            for (var i = 0; i < count; i++) output[i] = (short)Math.Clamp(mix[i], short.MinValue, short.MaxValue);
            mix.Clear();
            writer.Write(output);
            written += count;
        }
    }

    /// <summary>Writes what is left (the file lasts as long as the call), finalises the header and closes the file.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            foreach (var (session, handler) in attached) session.PacketReceived -= handler;
            FlushTo(Math.Max(Now(), end));
            disposed = true;
            writer.Dispose();
        }
    }

    private sealed record Party(uint Ssrc, uint AnchorTimestamp, long AnchorPosition);
}
