using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Yunke.Sip.Messages;

/// <summary>Character classes and small scanners of the RFC 3261 grammar (section 25.1).</summary>
internal static class SipSyntax
{
    private const string TokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";

    // Vectorized scans: tokens, hosts and URIs are read on every message.
    private static readonly SearchValues<char> Token = SearchValues.Create(TokenChars);
    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(TokenChars));
    private static readonly SearchValues<char> Hostname = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");

    public static bool IsTokenChar(char c) => Token.Contains(c);

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExcept(TokenBytes);

    /// <summary>Where a host name or IPv4 address starting at <paramref name="i"/> ends.</summary>
    public static int ReadHostname(ReadOnlySpan<char> s, int i)
    {
        var end = s[i..].IndexOfAnyExcept(Hostname);
        return end < 0 ? s.Length : i + end;
    }

    public static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    public static bool IsToken(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(Token);

    public static int SkipWhitespace(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && IsWhitespace(s[i])) i++;
        return i;
    }

    public static int ReadToken(ReadOnlySpan<char> s, int i)
    {
        var end = s[i..].IndexOfAnyExcept(Token);
        return end < 0 ? s.Length : i + end;
    }

    /// <summary>Reads a quoted-string starting at the opening quote; returns the index after the closing
    /// quote, or -1 when the string never ends (RFC 4475 quotbal).</summary>
    public static int ReadQuoted(ReadOnlySpan<char> s, int i)
    {
        i++; // opening quote
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\') { i += 2; continue; }
            if (c == '"') return i + 1;
            i++;
        }
        return -1;
    }

    /// <summary>The content of a quoted-string with its quoted-pairs resolved (\" becomes ").</summary>
    public static string Unquote(ReadOnlySpan<char> quoted)
    {
        var inner = quoted[1..^1];
        if (inner.IndexOf('\\') < 0) return inner.ToString();
        var sb = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length) i++;
            sb.Append(inner[i]);
        }
        return sb.ToString();
    }

    /// <summary>Writes text as a quoted-string (" and \\ escaped) into text being built.</summary>
    public static void AppendQuoted(ref DefaultInterpolatedStringHandler into, string text)
    {
        into.AppendFormatted('"');
        var rest = text.AsSpan();
        for (var i = rest.IndexOfAny('"', '\\'); i >= 0; i = rest.IndexOfAny('"', '\\'))
        {
            into.AppendFormatted(rest[..i]);
            into.AppendFormatted('\\');
            into.AppendFormatted(rest[i]);
            rest = rest[(i + 1)..];
        }
        into.AppendFormatted(rest);
        into.AppendFormatted('"');
    }

    /// <summary>Splits a comma-separated header value, ignoring commas inside quotes and angle brackets.
    /// Elements are trimmed; an empty element is returned as such so callers can reject it.</summary>
    public static List<string> SplitList(string value)
    {
        var parts = new List<string>(1);
        foreach (var element in Elements(value)) parts.Add(element);
        return parts;
    }

    /// <summary>The elements <see cref="SplitList"/> gives, one at a time without a list: most list headers carry
    /// one value per line, which is then handed out as it is (field values are already trimmed).</summary>
    public static ListElements Elements(string value) => new(value);

    public struct ListElements(string value)
    {
        private int next;

        public string Current { get; private set; } = "";

        public readonly ListElements GetEnumerator() => this;

        public bool MoveNext()
        {
            if (next > value.Length) return false;
            if (next == 0 && !value.Contains(','))
            {
                Current = value;
                next = value.Length + 1;
                return true;
            }
            var s = value.AsSpan();
            int i = next, angle = 0;
            for (; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '"')
                {
                    var end = ReadQuoted(s, i);
                    if (end < 0) { i = s.Length; break; } // the element parser reports the unterminated quote
                    i = end - 1;
                }
                else if (c == '<') angle++;
                else if (c == '>' && angle > 0) angle--;
                else if (c == ',' && angle == 0) break;
            }
            Current = s[next..i].Trim().ToString();
            next = i + 1;
            return true;
        }
    }

    /// <summary>The methods of RFC 3261 and its common extensions as constants, so a parsed method makes no string.</summary>
    public static string Method(ReadOnlySpan<char> method) => method switch
    {
        "INVITE" => "INVITE",
        "ACK" => "ACK",
        "BYE" => "BYE",
        "CANCEL" => "CANCEL",
        "REGISTER" => "REGISTER",
        "OPTIONS" => "OPTIONS",
        "INFO" => "INFO",
        "UPDATE" => "UPDATE",
        "PRACK" => "PRACK",
        "SUBSCRIBE" => "SUBSCRIBE",
        "NOTIFY" => "NOTIFY",
        "REFER" => "REFER",
        "MESSAGE" => "MESSAGE",
        "PUBLISH" => "PUBLISH",
        _ => method.ToString(),
    };

    public static bool TryParseUInt(ReadOnlySpan<char> digits, uint max, out uint value)
    {
        value = 0;
        if (digits.IsEmpty) return false;
        ulong v = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9') return false;
            v = v * 10 + (uint)(c - '0');
            if (v > max) return false;
        }
        value = (uint)v;
        return true;
    }
}
