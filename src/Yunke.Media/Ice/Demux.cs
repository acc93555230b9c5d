using Yunke.Media.Rtp;

namespace Yunke.Media.Ice;

/// <summary>What a datagram on a browser call's one UDP socket is.</summary>
public enum MuxedPacket
{
    /// <summary>None of the below (ZRTP, TURN channels, garbage): drop it.</summary>
    Unknown,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}

/// <summary>
/// Tells apart STUN, DTLS, RTP and RTCP sharing one port (RFC 7983 7) by the first byte alone, the way every
/// WebRTC stack does: the ranges were chosen not to overlap, so no parsing is needed to route a packet.
/// </summary>
public static class Demux
{
    public static MuxedPacket Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty) return MuxedPacket.Unknown;
        return datagram[0] switch
        {
            <= 3 => MuxedPacket.Stun,
            >= 20 and <= 63 => MuxedPacket.Dtls,
            // RTP and RTCP (version 2) differ in the second byte: RTCP's packet types 192–223 (RFC 5761 4).
            >= 128 and <= 191 => datagram.Length < 2 ? MuxedPacket.Unknown
                : RtpPacket.LooksLikeRtcp(datagram) ? MuxedPacket.Rtcp : MuxedPacket.Rtp,
            _ => MuxedPacket.Unknown,
        };
    }
}
