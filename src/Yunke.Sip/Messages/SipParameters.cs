using System.Runtime.CompilerServices;

namespace Yunke.Sip.Messages;

/// <summary>An ordered list of <c>;name[=value]</c> parameters, looked up without regard to case.
/// Values keep their wire form (a quoted value keeps its quotes) so a message re-serializes as received.</summary>
public sealed class SipParameters : IEnumerable<KeyValuePair<string, string?>>
{
    // Most URIs and headers have none, one or two parameters: a bare array, made when the first comes and sized by
    // the parser to what the text holds (with room for what is added later, such as a Via's received).
    private KeyValuePair<string, string?>[]? items;
    private int count;

    public int Count => count;

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
        Array.Copy(items!, i + 1, items!, i, count - i - 1);
        items![--count] = default;
        return true;
    }

    internal void Add(string name, string? value)
    {
        items ??= new KeyValuePair<string, string?>[3];
        if (count == items.Length) Array.Resize(ref items, count * 2);
        items[count++] = new(name, value);
    }

    /// <summary>Room for that many parameters, made before the first is added: parsing knows how many are coming.</summary>
    internal void Reserve(int room)
    {
        if (items is null && room > 0) items = new KeyValuePair<string, string?>[room];
    }

    /// <summary>A copy that can be changed without changing this one (the strings are shared: they never change).</summary>
    internal SipParameters Copy()
    {
        var copy = new SipParameters { count = count };
        if (count > 0) copy.items = items.AsSpan(0, count).ToArray();
        return copy;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < count; i++)
            if (string.Equals(items![i].Key, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>Writes <c>;name=value</c> for each, or with other separators (a URI's headers: <c>?name=value&amp;name=value</c>).</summary>
    internal void AppendTo(ref DefaultInterpolatedStringHandler text, char first = ';', char separator = ';')
    {
        for (var i = 0; i < count; i++)
        {
            var (name, value) = items![i];
            text.AppendFormatted(i == 0 ? first : separator);
            text.AppendLiteral(name);
            if (value is null) continue;
            text.AppendFormatted('=');
            text.AppendLiteral(value);
        }
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator()
    {
        for (var i = 0; i < count; i++) yield return items![i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Parses <c>*( SEMI generic-param )</c> where LWS may surround ; and =, as in
    /// <c>" ;  tag = 98asjd8"</c>. Everything in <paramref name="s"/> must be consumed.</summary>
    /// <param name="room">Parameters the caller will add after these (a Via's received), so the array is made once.</param>
    internal static bool TryParse(ReadOnlySpan<char> s, SipParameters into, out string? error, int room = 0)
    {
        error = null;
        into.Reserve(s.Count(';') + room); // one per semicolon: at most that many (a quoted value may hold one too)
        var i = SipSyntax.SkipWhitespace(s, 0);
        while (i < s.Length)
        {
            if (s[i] != ';') { error = $"unexpected '{s[i]}' where a parameter was expected"; return false; }
            i = SipSyntax.SkipWhitespace(s, i + 1);
            var nameStart = i;
            i = SipSyntax.ReadToken(s, i);
            if (i == nameStart) { error = "empty parameter"; return false; }
            var name = SipStrings.Get(s[nameStart..i]);
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
                // A tag or a branch is new in every message; other values (expires, received...) recur.
                value = name is "tag" or "branch" ? s[valueStart..i].ToString() : SipStrings.Get(s[valueStart..i]);
                i = SipSyntax.SkipWhitespace(s, i);
            }
            into.Add(name, value);
        }
        return true;
    }
}
