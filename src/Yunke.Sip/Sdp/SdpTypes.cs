using System.Globalization;

namespace Yunke.Sip.Sdp;

/// <summary>Which way media flows, from the point of view of the description's author (RFC 4566 6, RFC 3264 6.1).</summary>
public enum SdpDirection { SendRecv, SendOnly, RecvOnly, Inactive }

/// <summary>o= username sess-id sess-version nettype addrtype unicast-address.</summary>
public sealed record SdpOrigin(string UserName, string SessionId, string SessionVersion, string NetworkType, string AddressType, string Address)
{
    public override string ToString() => $"{UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";
}

/// <summary>c= nettype addrtype connection-address (a multicast TTL or count stays part of the address).</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    public static SdpConnection Ip(string address) =>
        new("IN", address.Contains(':') ? "IP6" : "IP4", address);

    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>a=name or a=name:value.</summary>
public readonly record struct SdpAttribute(string Name, string? Value)
{
    public override string ToString() => Value is null ? Name : Name + ":" + Value;
}

/// <summary>What a payload type stands for: a=rtpmap, or the static table of RFC 3551 when there is none.</summary>
public sealed record SdpRtpMap(int PayloadType, string Encoding, int ClockRate, int? Channels = null)
{
    private static readonly Dictionary<int, SdpRtpMap> Static = new()
    {
        [0] = new(0, "PCMU", 8000), [3] = new(3, "GSM", 8000), [4] = new(4, "G723", 8000), [8] = new(8, "PCMA", 8000),
        [9] = new(9, "G722", 8000), [13] = new(13, "CN", 8000), [18] = new(18, "G729", 8000),
    };

    internal static SdpRtpMap? ForStatic(int payloadType) => Static.GetValueOrDefault(payloadType);

    internal static SdpRtpMap? Parse(string value)
    {
        // "96 opus/48000/2"
        var space = value.IndexOf(' ');
        if (space < 0 || !int.TryParse(value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt)) return null;
        var parts = value[(space + 1)..].Trim().Split('/');
        if (parts.Length < 2 || parts[0].Length == 0 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rate)) return null;
        int? channels = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ch) ? ch : null;
        return new SdpRtpMap(pt, parts[0], rate, channels);
    }

    public string ToAttributeValue() =>
        $"{PayloadType} {Encoding}/{ClockRate}" + (Channels is { } c ? "/" + c.ToString(CultureInfo.InvariantCulture) : "");
}

internal static class SdpDirections
{
    public static SdpDirection? FromAttribute(string name) => name switch
    {
        "sendrecv" => SdpDirection.SendRecv,
        "sendonly" => SdpDirection.SendOnly,
        "recvonly" => SdpDirection.RecvOnly,
        "inactive" => SdpDirection.Inactive,
        _ => null,
    };

    public static string ToAttribute(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    public static bool Sends(this SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.SendOnly;
    public static bool Receives(this SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public static SdpDirection From(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };
}
