using System.Globalization;
using System.Runtime.CompilerServices;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Digest;

/// <summary>The comma-separated auth-params after "Digest" in a challenge or credentials (RFC 2617 1.2, RFC 3261 25.1).</summary>
internal sealed class DigestParameters
{
    // A handful of parameters: a list searched in order costs less than a dictionary built for each REGISTER.
    private readonly List<KeyValuePair<string, string>> items = new(10);

    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
    {
        foreach (var (n, v) in items)
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase)) { value = v; return true; }
        value = null;
        return false;
    }

    public bool ContainsKey(string name) => TryGetValue(name, out _);

    public string? GetValueOrDefault(string name) => TryGetValue(name, out var v) ? v : null;

    public string this[string name] => TryGetValue(name, out var v) ? v : throw new KeyNotFoundException(name);

    private bool TryAdd(string name, string value)
    {
        if (ContainsKey(name)) return false;
        items.Add(new(name, value));
        return true;
    }

    // The names a challenge or credentials carry, so parsing makes no string for them.
    private static string Name(ReadOnlySpan<char> name) => name switch
    {
        "username" => "username",
        "realm" => "realm",
        "nonce" => "nonce",
        "uri" => "uri",
        "response" => "response",
        "algorithm" => "algorithm",
        "cnonce" => "cnonce",
        "opaque" => "opaque",
        "qop" => "qop",
        "nc" => "nc",
        "stale" => "stale",
        _ => name.ToString(),
    };

    public static bool TryParse(string headerValue, out DigestParameters values, out string? error)
    {
        values = new DigestParameters();
        var s = headerValue.AsSpan().Trim();
        var i = SipSyntax.ReadToken(s, 0);
        if (i == 0 || !s[..i].Equals("Digest", StringComparison.OrdinalIgnoreCase)) { error = "not a Digest scheme"; return false; }
        if (i == s.Length || !SipSyntax.IsWhitespace(s[i])) { error = "Digest without parameters"; return false; }
        while (true)
        {
            i = SipSyntax.SkipWhitespace(s, i);
            var nameStart = i;
            i = SipSyntax.ReadToken(s, i);
            if (i == nameStart) { error = "malformed auth parameter"; return false; }
            var name = Name(s[nameStart..i]);
            i = SipSyntax.SkipWhitespace(s, i);
            if (i >= s.Length || s[i] != '=') { error = $"auth parameter '{name}' has no value"; return false; }
            i = SipSyntax.SkipWhitespace(s, i + 1);
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var end = SipSyntax.ReadQuoted(s, i);
                if (end < 0) { error = $"unterminated quoted value for '{name}'"; return false; }
                // The nonce, cnonce and response are new each time; the user name, realm and URI recur.
                var inner = s[(i + 1)..(end - 1)];
                value = inner.Contains('\\') ? SipSyntax.Unquote(s[i..end])
                    : name is "nonce" or "cnonce" or "response" ? inner.ToString()
                    : SipStrings.Get(inner);
                i = end;
            }
            else
            {
                var start = i;
                i = SipSyntax.ReadToken(s, i);
                if (i == start) { error = $"auth parameter '{name}' has no value"; return false; }
                value = SipStrings.Get(s[start..i]); // qop=auth, nc=00000001, algorithm=MD5
            }
            if (!values.TryAdd(name, value)) { error = $"auth parameter '{name}' appears twice"; return false; }
            i = SipSyntax.SkipWhitespace(s, i);
            if (i == s.Length) break;
            if (s[i] != ',') { error = "auth parameters must be separated by commas"; return false; }
            i++;
        }
        error = null;
        return true;
    }
}

/// <summary>Writes "Digest name="value", name=token, ..." for challenges and credentials, on the stack until the final string.</summary>
internal ref struct DigestParameterWriter(Span<char> buffer)
{
    private DefaultInterpolatedStringHandler text = new(0, 0, CultureInfo.InvariantCulture, buffer);
    private bool any;

    public void Quoted(string name, string? value)
    {
        if (value is null) return;
        Name(name);
        SipSyntax.AppendQuoted(ref text, value);
    }

    public void Token(string name, string? value)
    {
        if (value is null) return;
        Name(name);
        text.AppendLiteral(value);
    }

    private void Name(string name)
    {
        text.AppendLiteral(any ? ", " : "Digest ");
        any = true;
        text.AppendLiteral(name);
        text.AppendFormatted('=');
    }

    public override string ToString() => text.ToStringAndClear();
}
