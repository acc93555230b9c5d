using System.Text;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Digest;

/// <summary>The comma-separated auth-params after "Digest" in a challenge or credentials (RFC 2617 1.2, RFC 3261 25.1).</summary>
internal static class DigestParameters
{
    public static bool TryParse(string headerValue, out Dictionary<string, string> values, out string? error)
    {
        values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
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
            var name = s[nameStart..i].ToString();
            i = SipSyntax.SkipWhitespace(s, i);
            if (i >= s.Length || s[i] != '=') { error = $"auth parameter '{name}' has no value"; return false; }
            i = SipSyntax.SkipWhitespace(s, i + 1);
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var end = SipSyntax.ReadQuoted(s, i);
                if (end < 0) { error = $"unterminated quoted value for '{name}'"; return false; }
                value = SipSyntax.Unquote(s[i..end]);
                i = end;
            }
            else
            {
                var start = i;
                i = SipSyntax.ReadToken(s, i);
                if (i == start) { error = $"auth parameter '{name}' has no value"; return false; }
                value = s[start..i].ToString();
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

    public static StringBuilder AppendQuoted(this StringBuilder sb, string name, string? value, bool first = false)
    {
        if (value is null) return sb;
        if (!first) sb.Append(", ");
        return sb.Append(name).Append('=').Append(SipSyntax.Quote(value));
    }

    public static StringBuilder AppendToken(this StringBuilder sb, string name, string? value)
    {
        if (value is null) return sb;
        return sb.Append(", ").Append(name).Append('=').Append(value);
    }
}
