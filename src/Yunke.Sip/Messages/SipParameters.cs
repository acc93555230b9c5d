namespace Yunke.Sip.Messages;

/// <summary>An ordered list of <c>;name[=value]</c> parameters, looked up without regard to case.
/// Values keep their wire form (a quoted value keeps its quotes) so a message re-serializes as received.</summary>
public sealed class SipParameters : IEnumerable<KeyValuePair<string, string?>>
{
    // Most URIs and headers have no parameters, so the list is only made when one is added.
    private List<KeyValuePair<string, string?>>? items;

    public int Count => items?.Count ?? 0;

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of a parameter; null when absent or when present without a value.</summary>
    public string? this[string name]
    {
        get { var i = IndexOf(name); return i < 0 ? null : items![i].Value; }
        set => Set(name, value);
    }

    public void Set(string name, string? value)
    {
        var i = IndexOf(name);
        if (i < 0) Add(name, value);
        else items![i] = new(name, value);
    }

    public bool Remove(string name)
    {
        var i = IndexOf(name);
        if (i < 0) return false;
        items!.RemoveAt(i);
        return true;
    }

    // Room for four at once: a Via's branch, rport and received (added when stamped) then never grow the list.
    internal void Add(string name, string? value) => (items ??= new(4)).Add(new(name, value));

    private int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
            if (string.Equals(items![i].Key, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    internal void AppendTo(System.Text.StringBuilder sb, char separator = ';')
    {
        if (items is null) return;
        foreach (var (name, value) in items)
        {
            sb.Append(separator).Append(name);
            if (value is not null) sb.Append('=').Append(value);
        }
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() =>
        (items ?? (IEnumerable<KeyValuePair<string, string?>>)[]).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Parses <c>*( SEMI generic-param )</c> where LWS may surround ; and =, as in
    /// <c>" ;  tag = 98asjd8"</c>. Everything in <paramref name="s"/> must be consumed.</summary>
    internal static bool TryParse(ReadOnlySpan<char> s, SipParameters into, out string? error)
    {
        error = null;
        var i = SipSyntax.SkipWhitespace(s, 0);
        while (i < s.Length)
        {
            if (s[i] != ';') { error = $"unexpected '{s[i]}' where a parameter was expected"; return false; }
            i = SipSyntax.SkipWhitespace(s, i + 1);
            var nameStart = i;
            i = SipSyntax.ReadToken(s, i);
            if (i == nameStart) { error = "empty parameter"; return false; }
            var name = s[nameStart..i].ToString();
            i = SipSyntax.SkipWhitespace(s, i);
            string? value = null;
            if (i < s.Length && s[i] == '=')
            {
                i = SipSyntax.SkipWhitespace(s, i + 1);
                var valueStart = i;
                if (i < s.Length && s[i] == '"')
                {
                    i = SipSyntax.ReadQuoted(s, i);
                    if (i < 0) { error = "unterminated quoted parameter value"; return false; }
                }
                else if (i < s.Length && s[i] == '[')
                {
                    var close = s[i..].IndexOf(']');
                    if (close < 0) { error = "unterminated IPv6 reference"; return false; }
                    i += close + 1;
                }
                else
                {
                    while (i < s.Length && (SipSyntax.IsTokenChar(s[i]) || s[i] == ':')) i++;
                }
                if (i == valueStart) { error = $"parameter '{name}' has an empty value"; return false; }
                value = s[valueStart..i].ToString();
                i = SipSyntax.SkipWhitespace(s, i);
            }
            into.Add(name, value);
        }
        return true;
    }
}
