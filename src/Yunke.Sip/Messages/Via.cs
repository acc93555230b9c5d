using System.Globalization;
using System.Runtime.CompilerServices;

namespace Yunke.Sip.Messages;

/// <summary>One Via header value (RFC 3261 20.42; received/rport per RFC 3581).</summary>
public sealed class Via
{
    /// <summary>The RFC 3261 branch prefix that marks a globally unique transaction id.</summary>
    public const string MagicCookie = "z9hG4bK";

    public string Protocol { get; init; } = "SIP";
    public string Version { get; init; } = "2.0";
    /// <summary>UDP, TCP, TLS, SCTP, WS, WSS or any extension token.</summary>
    public string Transport { get; init; } = "UDP";
    public string Host { get; init; } = "";
    public int? Port { get; init; }
    public SipParameters Parameters { get; } = new();

    public string? Branch
    {
        get => Parameters["branch"];
        set { if (value is null) Parameters.Remove("branch"); else Parameters.Set("branch", value); }
    }

    public string? Received
    {
        get => Parameters["received"];
        set { if (value is null) Parameters.Remove("received"); else Parameters.Set("received", value); }
    }

    /// <summary>True when the sender asked for rport (RFC 3581), with or without a value.</summary>
    public bool HasRport => Parameters.Contains("rport");

    public int? Rport
    {
        get => int.TryParse(Parameters["rport"], out var p) ? p : null;
        set => Parameters.Set("rport", value?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static bool TryParse(string text, out Via via, out string? error)
    {
        via = null!;
        var s = text.AsSpan();
        // sent-protocol: LWS may surround each slash (RFC 4475 3.1.1.1).
        Span<string?> parts = [null, null, null];
        var i = SipSyntax.SkipWhitespace(s, 0);
        for (var p = 0; p < 3; p++)
        {
            if (p > 0)
            {
                if (i >= s.Length || s[i] != '/') { error = "malformed Via protocol"; return false; }
                i = SipSyntax.SkipWhitespace(s, i + 1);
            }
            var start = i;
            i = SipSyntax.ReadToken(s, i);
            if (i == start) { error = "malformed Via protocol"; return false; }
            parts[p] = Common(s[start..i]);
            i = SipSyntax.SkipWhitespace(s, i);
        }

        var hostStart = i;
        if (i < s.Length && s[i] == '[')
        {
            var close = s[i..].IndexOf(']');
            if (close < 0) { error = "unterminated IPv6 reference in Via"; return false; }
            i += close + 1;
        }
        else
        {
            i = SipSyntax.ReadHostname(s, i);
        }
        if (i == hostStart) { error = "Via has no host"; return false; }
        var host = SipStrings.Get(s[hostStart..i]);
        i = SipSyntax.SkipWhitespace(s, i);

        int? port = null;
        if (i < s.Length && s[i] == ':')
        {
            i = SipSyntax.SkipWhitespace(s, i + 1);
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (!SipSyntax.TryParseUInt(s[start..i], 65535, out var p)) { error = "invalid Via port"; return false; }
            port = (int)p;
        }

        via = new Via { Protocol = parts[0]!, Version = parts[1]!, Transport = parts[2]!, Host = host, Port = port };
        // Room for the received a transport stamps on a request's top Via.
        if (!SipParameters.TryParse(s[i..], via.Parameters, out error, room: 1)) return false;
        if (via.Parameters.Contains("branch") && string.IsNullOrEmpty(via.Branch)) { error = "Via branch has no value"; return false; }
        return true;
    }

    // The sent-protocol of nearly every Via is one of these: no string made for it.
    private static string Common(ReadOnlySpan<char> token) => token switch
    {
        "SIP" => "SIP",
        "2.0" => "2.0",
        "UDP" => "UDP",
        "TCP" => "TCP",
        "WS" => "WS",
        "WSS" => "WSS",
        "TLS" => "TLS",
        _ => token.ToString(),
    };

    public override string ToString()
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        text.AppendLiteral(Protocol);
        text.AppendFormatted('/');
        text.AppendLiteral(Version);
        text.AppendFormatted('/');
        text.AppendLiteral(Transport);
        text.AppendFormatted(' ');
        text.AppendLiteral(Host);
        if (Port is { } port)
        {
            text.AppendFormatted(':');
            text.AppendFormatted(port);
        }
        Parameters.AppendTo(ref text);
        return text.ToStringAndClear();
    }
}
