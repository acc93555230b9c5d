namespace Yunke.Media.Srtp;

/// <summary>
/// The highest packet index accepted from one source and which of the 64 below it were seen (RFC 3711 3.3.2,
/// the sliding window of RFC 2401 / Appendix C of 4303). For SRTP the highest index also carries the rollover
/// counter and s_l of RFC 3711 3.3.1 (index = ROC * 2^16 + SEQ), so the estimate needs no other state.
/// </summary>
internal struct ReplayWindow
{
    public const int Size = 64;

    private bool started;
    private ulong highest;
    private ulong seen;   // bit n: index highest - n was accepted

    public readonly bool Started => started;
    public readonly ulong Highest => highest;

    /// <summary>
    /// The 48-bit index of an SRTP packet from its 16-bit sequence number (RFC 3711 Appendix A): the candidate
    /// (ROC - 1, ROC or ROC + 1) closest to the highest accepted. Negative for a packet from before the first
    /// rollover counter (a late packet of ROC -1). The first packet of a source starts at ROC 0 (3.3.1).
    /// </summary>
    public readonly long EstimateRtpIndex(ushort sequence)
    {
        if (!started) return sequence;
        var roc = (long)(highest >> 16);
        var last = (int)(highest & 0xFFFF);
        long guess;
        if (last < 32768) guess = sequence - last > 32768 ? roc - 1 : roc;
        else guess = last - 32768 > sequence ? roc + 1 : roc;
        return guess < 0 ? -1 : guess << 16 | sequence;
    }

    /// <summary>Whether <paramref name="index"/> may be accepted; checked before authenticating, accepted only after.</summary>
    public readonly SrtpResult Check(ulong index)
    {
        if (!started || index > highest) return SrtpResult.Ok;
        var behind = highest - index;
        if (behind >= Size) return SrtpResult.TooOld;
        return (seen >> (int)behind & 1) != 0 ? SrtpResult.Replayed : SrtpResult.Ok;
    }

    public void Accept(ulong index)
    {
        if (!started)
        {
            (started, highest, seen) = (true, index, 1);
        }
        else if (index > highest)
        {
            var ahead = index - highest;
            seen = ahead >= Size ? 1 : seen << (int)ahead | 1;
            highest = index;
        }
        else
        {
            seen |= 1UL << (int)(highest - index);
        }
    }
}
