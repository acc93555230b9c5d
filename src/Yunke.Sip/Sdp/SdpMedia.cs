using System.Globalization;
using System.Text;

namespace Yunke.Sip.Sdp;

/// <summary>One media description: the m= line and what follows it up to the next m= (RFC 4566 5.14).</summary>
public sealed class SdpMedia
{
    public string Type { get; set; } = "audio";
    /// <summary>The transport port; 0 means the stream is rejected or disabled (RFC 3264 6).</summary>
    public int Port { get; set; }
    public int? PortCount { get; set; }
    public string Protocol { get; set; } = "RTP/AVP";
    /// <summary>Payload types (for RTP) or other format tokens, in order of preference.</summary>
    public List<string> Formats { get; } = [];
    public string? Information { get; set; }
    public List<SdpConnection> Connections { get; } = [];
    public List<string> Bandwidths { get; } = [];
    public string? Key { get; set; }
    public List<SdpAttribute> Attributes { get; } = [];

    public bool IsRejected => Port == 0;

    /// <summary>The stream's direction attribute; null when it has none (the session's then applies).</summary>
    public SdpDirection? Direction
    {
        get
        {
            foreach (var a in Attributes)
                if (a.Value is null && SdpDirections.FromAttribute(a.Name) is { } d) return d;
            return null;
        }
        set
        {
            Attributes.RemoveAll(a => a.Value is null && SdpDirections.FromAttribute(a.Name) is not null);
            if (value is { } d) Attributes.Add(new SdpAttribute(d.ToAttribute(), null));
        }
    }

    /// <summary>What each RTP payload type in <see cref="Formats"/> means, from a=rtpmap or the static table.</summary>
    public IReadOnlyList<SdpRtpMap> RtpMaps
    {
        get
        {
            var explicitMaps = new Dictionary<int, SdpRtpMap>();
            foreach (var a in Attributes)
                if (a.Name == "rtpmap" && a.Value is not null && SdpRtpMap.Parse(a.Value) is { } map)
                    explicitMaps.TryAdd(map.PayloadType, map);
            var list = new List<SdpRtpMap>();
            foreach (var f in Formats)
            {
                if (!int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt)) continue;
                if ((explicitMaps.GetValueOrDefault(pt) ?? SdpRtpMap.ForStatic(pt)) is { } map) list.Add(map);
            }
            return list;
        }
    }

    /// <summary>The a=fmtp parameters of a payload type ("0-16" for "a=fmtp:101 0-16"), or null.</summary>
    public string? GetFmtp(int payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture) + " ";
        foreach (var a in Attributes)
            if (a.Name == "fmtp" && a.Value is not null && a.Value.StartsWith(prefix, StringComparison.Ordinal))
                return a.Value[prefix.Length..].Trim();
        return null;
    }

    public string? GetAttribute(string name) => Attributes.FirstOrDefault(a => a.Name == name).Value;

    internal void AppendTo(StringBuilder sb)
    {
        sb.Append("m=").Append(Type).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture));
        if (PortCount is { } count) sb.Append('/').Append(count.ToString(CultureInfo.InvariantCulture));
        sb.Append(' ').Append(Protocol);
        foreach (var f in Formats) sb.Append(' ').Append(f);
        sb.Append("\r\n");
        if (Information is not null) sb.Append("i=").Append(Information).Append("\r\n");
        foreach (var c in Connections) sb.Append("c=").Append(c).Append("\r\n");
        foreach (var b in Bandwidths) sb.Append("b=").Append(b).Append("\r\n");
        if (Key is not null) sb.Append("k=").Append(Key).Append("\r\n");
        foreach (var a in Attributes) sb.Append("a=").Append(a).Append("\r\n");
    }
}
