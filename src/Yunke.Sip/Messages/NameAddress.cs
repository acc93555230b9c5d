using System.Globalization;
using System.Runtime.CompilerServices;

namespace Yunke.Sip.Messages;

/// <summary>
/// The value of From, To, Contact, Route and similar headers: an optional display name, a URI and
/// header parameters (name-addr or addr-spec, RFC 3261 20.10).
/// </summary>
public sealed class NameAddress
{
    public NameAddress(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>The display name with quotes and quoted-pairs resolved; null when there is none.</summary>
    public string? DisplayName { get; set; }
    public SipUri Uri { get; set; }
    private SipParameters? parameters;
    public SipParameters Parameters => LazyInitializer.EnsureInitialized(ref parameters);

    public string? Tag
    {
        get => parameters?["tag"];
        set { if (value is null) Parameters.Remove("tag"); else Parameters.Set("tag", value); }
    }

    public static NameAddress Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse(string text, out NameAddress value, out string? error)
    {
        value = null!;
        var s = text.AsSpan().Trim();
        string? display = null;
        int i;
        var langle = -1;

        // A phone's display name recurs in its every request: SipStrings.
        if (s.Length > 0 && s[0] == '"')
        {
            var end = SipSyntax.ReadQuoted(s, 0);
            if (end < 0) { error = "unterminated quoted display name"; return false; }
            display = s[..end].Contains('\\') ? SipSyntax.Unquote(s[..end]) : SipStrings.Get(s[1..(end - 1)]);
            i = SipSyntax.SkipWhitespace(s, end);
            if (i >= s.Length || s[i] != '<') { error = "a quoted display name must be followed by <URI>"; return false; }
            langle = i;
        }
        else
        {
            var lt = s.IndexOf('<');
            var semi = s.IndexOf(';');
            if (lt >= 0 && (semi < 0 || lt < semi))
            {
                // Unquoted display names are tokens separated by LWS; RFC 4475 3.1.1.6 allows no LWS before <.
                var name = s[..lt].Trim();
                foreach (var c in name)
                    if (!SipSyntax.IsTokenChar(c) && !SipSyntax.IsWhitespace(c)) { error = "display name has characters that need quoting"; return false; }
                display = name.IsEmpty ? null : SipStrings.Get(name);
                langle = lt;
            }
        }

        SipUri? uri;
        if (langle >= 0)
        {
            var close = s[langle..].IndexOf('>');
            if (close < 0) { error = "missing > after URI"; return false; }
            var uriText = s[(langle + 1)..(langle + close)];
            if (uriText.IsEmpty || SipSyntax.IsWhitespace(uriText[0]) || SipSyntax.IsWhitespace(uriText[^1]))
            {
                error = "spaces inside <URI>";
                return false;
            }
            if (!SipUri.TryParse(uriText, out uri, out error)) return false;
            i = langle + close + 1;
        }
        else
        {
            // addr-spec: parameters after the URI belong to the header, so a URI with ; ? or , must be in <>.
            var semi = s.IndexOf(';');
            var uriText = semi < 0 ? s : s[..semi];
            uriText = uriText.TrimEnd();
            if (uriText.IndexOfAny('?', ',') >= 0) { error = "a URI with headers must be enclosed in <>"; return false; }
            if (!SipUri.TryParse(uriText, out uri, out error)) return false;
            i = semi < 0 ? s.Length : semi;
        }

        value = new NameAddress(uri, display);
        var rest = s[i..];
        // Parameters are made only when there are some: most To fields and many Contacts have none.
        if (SipSyntax.SkipWhitespace(rest, 0) == rest.Length) { error = null; return true; }
        return SipParameters.TryParse(rest, value.Parameters, out error);
    }

    /// <summary>A copy to change freely: what a message parsed once is handed out as copies (see <see cref="SipMessage.From"/>).</summary>
    internal NameAddress Copy()
    {
        var copy = new NameAddress(Uri.Copy(), DisplayName);
        copy.parameters = parameters?.Copy();
        return copy;
    }

    public override string ToString()
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        if (DisplayName is not null)
        {
            SipSyntax.AppendQuoted(ref text, DisplayName);
            text.AppendFormatted(' ');
        }
        text.AppendFormatted('<');
        Uri.AppendTo(ref text);
        text.AppendFormatted('>');
        parameters?.AppendTo(ref text);
        return text.ToStringAndClear();
    }
}
