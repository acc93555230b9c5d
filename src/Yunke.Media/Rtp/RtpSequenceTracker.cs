namespace Yunke.Media.Rtp;

/// <summary>What <see cref="RtpSequenceTracker.Update"/> made of a packet.</summary>
public enum RtpSequenceStatus
{
    /// <summary>The next packet, or one after a gap (the missing ones count as lost until they arrive).</summary>
    InOrder,
    /// <summary>An earlier packet arriving late; it fills a gap.</summary>
    Reordered,
    /// <summary>Already seen: drop it.</summary>
    Duplicate,
    /// <summary>A jump too large to be loss or reordering; one is ignored, two in sequence mean the source restarted.</summary>
    Jump,
    /// <summary>The second packet after a jump: the statistics started again from it.</summary>
    Restarted,
}

/// <summary>
/// Receive statistics of one RTP source, as RFC 3550 A.1 (sequence numbers, with its MAX_DROPOUT and
/// MAX_MISORDER), A.3 (loss) and A.8 (interarrival jitter) compute them, plus a 64-packet window that
/// tells duplicates from late packets (A.1 alone counts a duplicate as received).
/// Not thread-safe: it belongs to one receive loop.
/// </summary>
public sealed class RtpSequenceTracker
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int SequenceModulo = 1 << 16;

    private bool started;
    private ushort maxSequence;
    private uint cycles;
    private uint baseSequence;
    private int badSequence = SequenceModulo + 1;
    private ulong seen; // bit i: extended sequence (highest - i) arrived
    private long expectedPrior, receivedPrior;
    private uint lastTransit;
    private bool hasTransit;
    private long jitterTimes16; // J scaled by 16, the fixed-point form of A.8

    /// <summary>Packets received, duplicates not counted.</summary>
    public long Received { get; private set; }
    public long Duplicates { get; private set; }
    public long Reordered { get; private set; }
    /// <summary>The highest sequence number received, extended with the count of wrap-arounds (RFC 3550 6.4.1).</summary>
    public uint ExtendedHighestSequence => cycles + maxSequence;
    public long Expected => started ? (long)ExtendedHighestSequence - baseSequence + 1 : 0;
    /// <summary>Expected minus received; negative when duplicates were counted by the sender's view (never here), so at least 0.</summary>
    public long Lost => Math.Max(0, Expected - Received);
    /// <summary>Interarrival jitter in RTP timestamp units (RFC 3550 6.4.1).</summary>
    public uint Jitter => (uint)(jitterTimes16 >> 4);

    /// <param name="arrival">When the packet arrived, in RTP timestamp units of any fixed origin.</param>
    public RtpSequenceStatus Update(ushort sequence, uint timestamp, long arrival)
    {
        if (!started)
        {
            Restart(sequence);
            CountNew(timestamp, arrival);
            return RtpSequenceStatus.InOrder;
        }

        var delta = (ushort)(sequence - maxSequence);
        if (delta == 0) return CountDuplicate();
        if (delta < MaxDropout)
        {
            if (sequence < maxSequence) cycles += SequenceModulo;
            maxSequence = sequence;
            seen = delta >= 64 ? 1UL : (seen << delta) | 1UL;
            CountNew(timestamp, arrival);
            return RtpSequenceStatus.InOrder;
        }
        if (delta <= SequenceModulo - MaxMisorder)
        {
            // A big jump: once may be a stray packet, twice in sequence is a restarted source.
            if (sequence != badSequence)
            {
                badSequence = (sequence + 1) & (SequenceModulo - 1);
                return RtpSequenceStatus.Jump;
            }
            Restart(sequence);
            CountNew(timestamp, arrival);
            return RtpSequenceStatus.Restarted;
        }

        // Late: within MAX_MISORDER behind the highest.
        var behind = SequenceModulo - delta;
        if (behind < 64)
        {
            var bit = 1UL << behind;
            if ((seen & bit) != 0) return CountDuplicate();
            seen |= bit;
        }
        Received++;
        Reordered++;
        return RtpSequenceStatus.Reordered;
    }

    /// <summary>
    /// The loss figures of an RTCP report block since the previous call (RFC 3550 A.3): fraction lost
    /// in 1/256 over the interval, and the cumulative count, clamped to its 24 signed bits.
    /// </summary>
    public (byte FractionLost, int CumulativeLost) TakeLossReport()
    {
        var expected = Expected;
        var expectedInterval = expected - expectedPrior;
        var receivedInterval = Received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = Received;
        var lostInterval = expectedInterval - receivedInterval;
        var fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int)Math.Min(255, (lostInterval << 8) / expectedInterval);
        var cumulative = (int)Math.Clamp(expected - Received, -0x800000, 0x7FFFFF);
        return ((byte)fraction, cumulative);
    }

    private void Restart(ushort sequence)
    {
        started = true;
        baseSequence = sequence;
        maxSequence = sequence;
        badSequence = SequenceModulo + 1;
        cycles = 0;
        seen = 1;
        Received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
        hasTransit = false;
    }

    private void CountNew(uint timestamp, long arrival)
    {
        Received++;
        // A.8: the difference of relative transit times, smoothed with gain 1/16.
        // In 32-bit arithmetic, so the timestamp's wrap-around cancels out.
        var transit = unchecked((uint)arrival - timestamp);
        if (hasTransit)
        {
            var d = Math.Abs((long)unchecked((int)(transit - lastTransit)));
            // A timestamp jump (a new talkspurt after a source change) is not jitter.
            if (d < 1 << 20) jitterTimes16 += d - ((jitterTimes16 + 8) >> 4);
        }
        lastTransit = transit;
        hasTransit = true;
    }

    private RtpSequenceStatus CountDuplicate()
    {
        Duplicates++;
        return RtpSequenceStatus.Duplicate;
    }
}
