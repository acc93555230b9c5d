namespace Yunke.Media.Sessions;

public sealed record RtpSessionOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>
    /// Symmetric RTP (RFC 4961) learnt from the peer (comedia): send to where the first packets come from
    /// instead of the SDP's address, which a NAT makes wrong. Packets from any other source are then dropped.
    /// </summary>
    public bool Latching { get; init; } = true;
    /// <summary>How often to send an RTCP report (RFC 3550 6.2: 5 s minimum); null sends none.</summary>
    public TimeSpan? RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The RTCP CNAME (RFC 3550 6.5.1); a random one by default.</summary>
    public string? Cname { get; init; }
}
