using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Yunke.Sip.Messages;

/// <summary>
/// A SIP, SIPS or tel URI taken apart (RFC 3261 19.1, RFC 3966, IPv6 references per RFC 5118);
/// any other scheme is kept whole as <see cref="Opaque"/>, because an element must still carry
/// URIs it does not understand (RFC 4475 3.3.2-3.3.4).
/// User and password keep their escaped wire form (%75se%72): unescaping is the application's choice,
/// and a NUL escaped in a user part (RFC 4475 3.1.1.4) must not be lost.
/// </summary>
public sealed class SipUri
{
    public string Scheme { get; init; } = "sip";
    public string? User { get; init; }
    public string? Password { get; init; }
    /// <summary>Host name, IPv4 address or bracketed IPv6 reference ("[2001:db8::10]").</summary>
    public string Host { get; init; } = "";
    public int? Port { get; init; }
    // Made when first asked for: most URIs have no headers and many no parameters.
    private SipParameters? parameters, headers;
    public SipParameters Parameters => LazyInitializer.EnsureInitialized(ref parameters);
    /// <summary>URI headers (?name=value&amp;...), still escaped.</summary>
    public SipParameters Headers => LazyInitializer.EnsureInitialized(ref headers);
    internal bool HasHeaders => headers?.Count > 0;
    /// <summary>For schemes other than sip, sips and tel: everything after "scheme:".</summary>
    public string? Opaque { get; init; }

    public bool IsSip => Scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || IsSecure;
    public bool IsSecure => Scheme.Equals("sips", StringComparison.OrdinalIgnoreCase);
    public bool IsTel => Scheme.Equals("tel", StringComparison.OrdinalIgnoreCase);

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri, out var error) ? uri : throw new FormatException(error);

    public static bool TryParse(string text, out SipUri uri) => TryParse(text, out uri, out _);

    public static bool TryParse(string text, out SipUri uri, out string? error) => TryParse(text.AsSpan(), out uri, out error);

    /// <summary>Parses a URI from a slice of a header value: the parts are copied out, the URI text as a whole never is.</summary>
    internal static bool TryParse(ReadOnlySpan<char> s, out SipUri uri, out string? error)
    {
        uri = null!;
        var colon = s.IndexOf(':');
        if (colon <= 0 || !char.IsAsciiLetter(s[0]))
        {
            error = "URI has no scheme";
            return false;
        }
        foreach (var c in s[..colon])
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) { error = "invalid URI scheme"; return false; }
        if (s.IndexOfAnyInRange('\0', ' ') >= 0 || s.IndexOfAny(Forbidden) >= 0) { error = "URI contains a space or a forbidden character"; return false; }

        var scheme = s[..colon] switch { "sip" => "sip", "sips" => "sips", "tel" => "tel", var other => other.ToString() };
        var rest = s[(colon + 1)..];
        if (rest.IsEmpty) { error = "URI is empty after its scheme"; return false; }

        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
            return TryParseSip(scheme, rest, out uri, out error);

        if (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase))
        {
            var semi = rest.IndexOf(';');
            var number = semi < 0 ? rest : rest[..semi];
            if (number.IsEmpty) { error = "tel URI has no number"; return false; }
            uri = new SipUri { Scheme = scheme, User = number.ToString() };
            return SipParameters.TryParse(semi < 0 ? [] : rest[semi..], uri.Parameters, out error);
        }

        uri = new SipUri { Scheme = scheme, Opaque = rest.ToString() };
        error = null;
        return true;
    }

    private static bool TryParseSip(string scheme, ReadOnlySpan<char> rest, out SipUri uri, out string? error)
    {
        uri = null!;
        string? user = null, password = null;
        // The user part may itself hold ; ? , / and : (RFC 4475 3.1.1.2 and 3.1.1.9), so the last @
        // is what separates it from the host; an @ inside the user part must be escaped.
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            if (!HasValidEscapes(userInfo)) { error = "invalid escape in URI user part"; return false; }
            var pw = userInfo.IndexOf(':');
            user = SipStrings.Get(pw < 0 ? userInfo : userInfo[..pw]);
            if (pw >= 0) password = userInfo[(pw + 1)..].ToString();
            if (user.Length == 0) { error = "empty URI user part"; return false; }
            rest = rest[(at + 1)..];
        }

        int i;
        string host;
        if (rest.Length > 0 && rest[0] == '[')
        {
            i = rest.IndexOf(']');
            if (i < 0) { error = "unterminated IPv6 reference"; return false; }
            i++;
            host = SipStrings.Get(rest[..i]);
            if (!IsIpv6Reference(host)) { error = "invalid IPv6 reference"; return false; }
        }
        else
        {
            i = 0;
            i = SipSyntax.ReadHostname(rest, 0);
            host = SipStrings.Get(rest[..i]);
            if (host.Length == 0) { error = "URI has no host"; return false; }
        }

        int? port = null;
        if (i < rest.Length && rest[i] == ':')
        {
            var start = ++i;
            while (i < rest.Length && char.IsAsciiDigit(rest[i])) i++;
            if (!SipSyntax.TryParseUInt(rest[start..i], 65535, out var p)) { error = "invalid port"; return false; }
            port = (int)p;
        }

        var headersAt = rest[i..].IndexOf('?');
        var paramPart = headersAt < 0 ? rest[i..] : rest[i..(i + headersAt)];
        if (!paramPart.IsEmpty && paramPart[0] != ';') { error = $"unexpected '{paramPart[0]}' after URI host"; return false; }

        uri = new SipUri { Scheme = scheme, User = user, Password = password, Host = host, Port = port };
        if (!paramPart.IsEmpty) uri.Parameters.Reserve(paramPart.Count(';'));
        foreach (var range in paramPart.IsEmpty ? default : paramPart[1..].Split(';'))
        {
            var param = paramPart[1..][range];
            if (param.Length == 0) { error = "empty URI parameter"; return false; }
            if (!HasValidEscapes(param)) { error = "invalid escape in URI parameter"; return false; }
            var eq = param.IndexOf('=');
            // Names and values of URI parameters (transport=udp, lr, user=phone...) recur.
            uri.Parameters.Add(SipStrings.Get(eq < 0 ? param : param[..eq]), eq < 0 ? null : SipStrings.Get(param[(eq + 1)..]));
        }
        if (headersAt >= 0)
        {
            var headerPart = rest[(i + headersAt + 1)..];
            foreach (var range in headerPart.Split('&'))
            {
                var header = headerPart[range];
                var eq = header.IndexOf('=');
                if (eq <= 0) { error = "invalid URI header"; return false; }
                uri.Headers.Add(header[..eq].ToString(), header[(eq + 1)..].ToString());
            }
        }
        error = null;
        return true;
    }

    /// <summary>A copy whose parameters and headers can be changed without changing this one.</summary>
    internal SipUri Copy() => new()
    {
        Scheme = Scheme, User = User, Password = Password, Host = Host, Port = Port, Opaque = Opaque,
        parameters = parameters?.Copy(), headers = headers?.Copy(),
    };

    private static readonly SearchValues<char> Forbidden = SearchValues.Create("<>\"\x7f");

    private static bool HasValidEscapes(ReadOnlySpan<char> s)
    {
        if (!s.Contains('%')) return true;
        for (var i = 0; i < s.Length; i++)
            if (s[i] == '%' && (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2])))
                return false;
        return true;
    }

    private static bool IsIpv6Reference(string host)
    {
        var inner = host.AsSpan(1, host.Length - 2);
        return inner.Length > 1 && inner.IndexOf(':') >= 0
            && System.Net.IPAddress.TryParse(inner, out var ip)
            && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
    }

    /// <summary>Resolves %HH escapes; used when comparing user parts (%75ser equals user).</summary>
    public static string Unescape(string text)
    {
        if (!text.Contains('%')) return text;
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public override string ToString()
    {
        if (Opaque is not null) return Scheme + ":" + Opaque;
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        AppendTo(ref text);
        return text.ToStringAndClear();
    }

    /// <summary>Writes the URI into text being built (a name-addr's), without a string of its own.</summary>
    internal void AppendTo(ref DefaultInterpolatedStringHandler text)
    {
        text.AppendLiteral(Scheme);
        text.AppendFormatted(':');
        if (Opaque is not null)
        {
            text.AppendLiteral(Opaque);
            return;
        }
        if (User is not null)
        {
            text.AppendLiteral(User);
            if (Password is not null)
            {
                text.AppendFormatted(':');
                text.AppendLiteral(Password);
            }
            if (!IsTel) text.AppendFormatted('@');
        }
        text.AppendLiteral(Host);
        if (Port is { } port)
        {
            text.AppendFormatted(':');
            text.AppendFormatted(port);
        }
        parameters?.AppendTo(ref text);
        headers?.AppendTo(ref text, '?', '&');
    }
}
