using System.Globalization;
using System.Text;

namespace Yunke.Sip.Sdp;

/// <summary>
/// A session description (RFC 4566): parsed from text, changed, and written back in the order the
/// grammar fixes. Lines the model has no field for are kept in their place so nothing is lost.
/// </summary>
public sealed class SdpSession
{
    public int Version { get; set; }
    public SdpOrigin Origin { get; set; } = new("-", "0", "0", "IN", "IP4", "0.0.0.0");
    public string SessionName { get; set; } = "-";
    public string? Information { get; set; }
    public string? Uri { get; set; }
    public List<string> Emails { get; } = [];
    public List<string> Phones { get; } = [];
    public SdpConnection? Connection { get; set; }
    public List<string> Bandwidths { get; } = [];
    /// <summary>The t= lines with any r= lines after them, as written ("t=0 0").</summary>
    public List<string> TimeLines { get; } = [];
    public string? TimeZones { get; set; }
    public string? Key { get; set; }
    public List<SdpAttribute> Attributes { get; } = [];
    public List<SdpMedia> Media { get; } = [];

    /// <summary>The session-level direction attribute, sendrecv when there is none.</summary>
    public SdpDirection Direction
    {
        get
        {
            foreach (var a in Attributes)
                if (a.Value is null && SdpDirections.FromAttribute(a.Name) is { } d) return d;
            return SdpDirection.SendRecv;
        }
    }

    /// <summary>The direction that applies to a stream: its own attribute, else the session's.</summary>
    public SdpDirection DirectionOf(SdpMedia media) => media.Direction ?? Direction;

    /// <summary>Where a stream's media goes: its own c= line, else the session's.</summary>
    public SdpConnection? ConnectionOf(SdpMedia media) => media.Connections.FirstOrDefault() ?? Connection;

    public static SdpSession Parse(string text) =>
        TryParse(text, out var session, out var error) ? session : throw new FormatException(error);

    public static bool TryParse(string text, out SdpSession session, out string? error)
    {
        session = new SdpSession();
        error = null;
        SdpMedia? media = null;
        var lineNumber = 0;
        var seenVersion = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            lineNumber++;
            if (line.Length == 0) continue;
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                error = $"line {lineNumber}: not of the form x=value";
                return false;
            }
            var value = line[2..];
            if (!seenVersion)
            {
                if (line[0] != 'v' || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) { error = "a description must start with v="; return false; }
                session.Version = v;
                seenVersion = true;
                continue;
            }
            if (media is null ? !ReadSessionLine(session, line[0], value, ref media, out error) : !ReadMediaLine(session, media, line[0], value, ref media, out error))
            {
                error = $"line {lineNumber}: {error}";
                return false;
            }
        }
        if (!seenVersion) { error = "empty description"; return false; }
        return true;
    }

    private static bool ReadSessionLine(SdpSession s, char type, string value, ref SdpMedia? media, out string? error)
    {
        error = null;
        switch (type)
        {
            case 'o':
                var o = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (o.Length != 6) { error = "o= needs six fields"; return false; }
                s.Origin = new SdpOrigin(o[0], o[1], o[2], o[3], o[4], o[5]);
                return true;
            case 's': s.SessionName = value; return true;
            case 'i': s.Information = value; return true;
            case 'u': s.Uri = value; return true;
            case 'e': s.Emails.Add(value); return true;
            case 'p': s.Phones.Add(value); return true;
            case 'c':
                if (ParseConnection(value) is not { } c) { error = "malformed c= line"; return false; }
                s.Connection = c;
                return true;
            case 'b': s.Bandwidths.Add(value); return true;
            case 't' or 'r': s.TimeLines.Add($"{type}={value}"); return true;
            case 'z': s.TimeZones = value; return true;
            case 'k': s.Key = value; return true;
            case 'a': s.Attributes.Add(ParseAttribute(value)); return true;
            case 'm': return StartMedia(s, value, ref media, out error);
            default: error = $"unknown line type '{type}'"; return false;
        }
    }

    private static bool ReadMediaLine(SdpSession s, SdpMedia m, char type, string value, ref SdpMedia? media, out string? error)
    {
        error = null;
        switch (type)
        {
            case 'i': m.Information = value; return true;
            case 'c':
                if (ParseConnection(value) is not { } c) { error = "malformed c= line"; return false; }
                m.Connections.Add(c);
                return true;
            case 'b': m.Bandwidths.Add(value); return true;
            case 'k': m.Key = value; return true;
            case 'a': m.Attributes.Add(ParseAttribute(value)); return true;
            case 'm': return StartMedia(s, value, ref media, out error);
            default: error = $"'{type}=' is not allowed in a media description"; return false;
        }
    }

    private static bool StartMedia(SdpSession s, string value, ref SdpMedia? media, out string? error)
    {
        error = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4) { error = "m= needs media, port, protocol and at least one format"; return false; }
        var portText = parts[1];
        int? count = null;
        var slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(portText.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) { error = "bad port count"; return false; }
            count = n;
            portText = portText[..slash];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535) { error = "bad media port"; return false; }
        media = new SdpMedia { Type = parts[0], Port = port, PortCount = count, Protocol = parts[2] };
        media.Formats.AddRange(parts.Skip(3));
        s.Media.Add(media);
        return true;
    }

    private static SdpConnection? ParseConnection(string value)
    {
        var p = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return p.Length == 3 ? new SdpConnection(p[0], p[1], p[2]) : null;
    }

    private static SdpAttribute ParseAttribute(string value)
    {
        var colon = value.IndexOf(':');
        return colon < 0 ? new SdpAttribute(value, null) : new SdpAttribute(value[..colon], value[(colon + 1)..]);
    }

    public override string ToString()
    {
        var sb = new StringBuilder(256);
        sb.Append("v=").Append(Version.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("o=").Append(Origin).Append("\r\n");
        sb.Append("s=").Append(SessionName).Append("\r\n");
        if (Information is not null) sb.Append("i=").Append(Information).Append("\r\n");
        if (Uri is not null) sb.Append("u=").Append(Uri).Append("\r\n");
        foreach (var e in Emails) sb.Append("e=").Append(e).Append("\r\n");
        foreach (var p in Phones) sb.Append("p=").Append(p).Append("\r\n");
        if (Connection is not null) sb.Append("c=").Append(Connection).Append("\r\n");
        foreach (var b in Bandwidths) sb.Append("b=").Append(b).Append("\r\n");
        if (TimeLines.Count == 0) sb.Append("t=0 0\r\n"); // t= is mandatory
        foreach (var t in TimeLines) sb.Append(t).Append("\r\n");
        if (TimeZones is not null) sb.Append("z=").Append(TimeZones).Append("\r\n");
        if (Key is not null) sb.Append("k=").Append(Key).Append("\r\n");
        foreach (var a in Attributes) sb.Append("a=").Append(a).Append("\r\n");
        foreach (var m in Media) m.AppendTo(sb);
        return sb.ToString();
    }
}
