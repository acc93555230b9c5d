using System.Buffers.Binary;

namespace Yunke.Media.Rtp;

/// <summary>
/// Makes one continuous outgoing RTP stream (one SSRC, sequence numbers and timestamps that only move
/// on) out of whatever feeds it: a relayed phone that re-INVITEs or changes source, a prompt player, then
/// the relay again. Within one input source the gaps and order are kept (the receiver's loss figures
/// stay true); at a change of source the numbering continues where it stopped, with the time that
/// passed in between, and the marker bit is set (RFC 3551 4.1: the start of a talkspurt).
/// Thread-safe.
/// </summary>
public sealed class RtpStreamRewriter
{
    // Beyond these an input "jump" is a new source even with the same SSRC (a phone that restarted its stream).
    private const int MaxSequenceJump = 3000;
    private const int MaxMisorder = 100;

    private readonly Lock gate = new();
    private readonly int clockRate;
    private bool hasInput, hasOutput;
    private uint inputSsrc;
    private ushort lastInputSequence;
    private ushort sequenceOffset;
    private uint timestampOffset;
    private ushort lastSequence;
    private uint lastTimestamp;
    private long lastTime;

    public RtpStreamRewriter(uint ssrc, ushort firstSequence, uint firstTimestamp, int clockRate = 8000)
    {
        Ssrc = ssrc;
        lastSequence = (ushort)(firstSequence - 1);
        lastTimestamp = firstTimestamp;
        this.clockRate = clockRate;
    }

    public static RtpStreamRewriter CreateRandom(int clockRate = 8000) =>
        new((uint)Random.Shared.NextInt64(1, uint.MaxValue), (ushort)Random.Shared.Next(0, 1 << 15), (uint)Random.Shared.Next(), clockRate);

    public uint Ssrc { get; }
    /// <summary>The highest sequence number sent so far.</summary>
    public ushort LastSequence { get { lock (gate) return lastSequence; } }
    public uint LastTimestamp { get { lock (gate) return lastTimestamp; } }

    /// <summary>Rewrites SSRC, sequence number, timestamp (and marker at a new source) of a packet in place.</summary>
    /// <param name="packet">At least the 12-byte fixed header.</param>
    /// <param name="now">The current time in <see cref="System.Diagnostics.Stopwatch"/>-like ticks of <paramref name="frequency"/>.</param>
    public void Rewrite(Span<byte> packet, long now, long frequency)
    {
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        lock (gate)
        {
            var step = (short)(ushort)(sequence - lastInputSequence);
            if (!hasInput || ssrc != inputSsrc || step > MaxSequenceJump || step < -MaxMisorder)
            {
                // A new source: continue after the last packet sent, as many timestamp units later as time passed (at least one).
                var elapsed = hasOutput ? Math.Max(1, (long)((Int128)(now - lastTime) * clockRate / frequency)) : 0;
                var next = (ushort)(lastSequence + 1);
                var nextTimestamp = unchecked(lastTimestamp + (uint)Math.Min(elapsed, int.MaxValue));
                sequenceOffset = (ushort)(next - sequence);
                timestampOffset = unchecked(nextTimestamp - timestamp);
                inputSsrc = ssrc;
                hasInput = true;
                lastInputSequence = sequence;
                packet[1] |= 0x80;
            }
            var outSequence = (ushort)(sequence + sequenceOffset);
            var outTimestamp = unchecked(timestamp + timestampOffset);
            if ((short)(ushort)(sequence - lastInputSequence) >= 0 || !hasOutput)
            {
                lastInputSequence = sequence;
                lastSequence = outSequence;
                lastTimestamp = outTimestamp;
                lastTime = now;
                hasOutput = true;
            }
            BinaryPrimitives.WriteUInt32BigEndian(packet[8..], Ssrc);
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], outSequence);
            BinaryPrimitives.WriteUInt32BigEndian(packet[4..], outTimestamp);
        }
    }

    /// <summary>The RTP timestamp that corresponds to <paramref name="now"/> (for the SR's sender info).</summary>
    public uint TimestampAt(long now, long frequency)
    {
        lock (gate)
            return hasOutput ? unchecked(lastTimestamp + (uint)((Int128)(now - lastTime) * clockRate / frequency)) : lastTimestamp;
    }
}
