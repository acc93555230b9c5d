using System.Globalization;
using System.Net;

namespace Yunke.Media.Ice;

/// <summary>
/// The SDP attribute lines of an ICE-lite answer (RFC 8839), as plain strings for whoever writes the SDP, and the
/// reading of the peer's credentials from its lines.
/// </summary>
public static class IceSdp
{
    /// <summary>Session level: we only answer checks and never send any (RFC 8445 2.5), so the browser controls and nominates.</summary>
    public const string Lite = "a=ice-lite";
    /// <summary>A lite agent has all its candidates at once: nothing will trickle after the answer (a=end-of-candidates, RFC 8840).</summary>
    public const string EndOfCandidates = "a=end-of-candidates";

    public static string Ufrag(IceCredentials credentials) => "a=ice-ufrag:" + credentials.Ufrag;
    public static string Password(IceCredentials credentials) => "a=ice-pwd:" + credentials.Password;

    /// <summary>
    /// The one host candidate, e.g. <c>a=candidate:1 1 UDP 2130706431 203.0.113.5 20000 typ host</c>: component 1 only,
    /// RTCP being multiplexed on the RTP port (RFC 5761), so everything of the call reaches one socket.
    /// </summary>
    public static string HostCandidate(IPEndPoint endPoint, string foundation = "1", int component = 1) =>
        string.Create(CultureInfo.InvariantCulture,
            $"a=candidate:{foundation} {component} UDP {HostPriority(component)} {endPoint.Address} {endPoint.Port} typ host");

    /// <summary>
    /// RFC 8445 5.1.2.1: 2^24 × type preference (126 for host) + 2^8 × local preference (65535: our one address)
    /// + (256 − component id).
    /// </summary>
    public static uint HostPriority(int component = 1, ushort localPreference = 65535) =>
        (1u << 24) * 126 + (1u << 8) * localPreference + (uint)(256 - component);

    /// <summary>
    /// The peer's ufrag and password from its attribute lines (with or without "a="), session-level lines first
    /// and then the media section's, so a media-level value overrides (RFC 8839 5.4). Null if either is missing
    /// or does not follow the grammar.
    /// </summary>
    public static IceCredentials? ReadCredentials(IEnumerable<string> attributeLines)
    {
        string? ufrag = null, password = null;
        foreach (var raw in attributeLines)
        {
            var line = raw.StartsWith("a=", StringComparison.Ordinal) ? raw[2..] : raw;
            if (line.StartsWith("ice-ufrag:", StringComparison.Ordinal)) ufrag = line["ice-ufrag:".Length..].Trim();
            else if (line.StartsWith("ice-pwd:", StringComparison.Ordinal)) password = line["ice-pwd:".Length..].Trim();
        }
        return IceCredentials.IsValidUfrag(ufrag) && IceCredentials.IsValidPassword(password) ? new IceCredentials(ufrag!, password!) : null;
    }
}
