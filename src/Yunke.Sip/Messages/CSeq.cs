namespace Yunke.Sip.Messages;

/// <summary>The CSeq header: a sequence number below 2**31 and a method (RFC 3261 8.1.1.5).</summary>
public readonly record struct CSeq(uint Number, string Method)
{
    public const uint MaxNumber = int.MaxValue;

    public static bool TryParse(string text, out CSeq value, out string? error)
    {
        value = default;
        var s = text.AsSpan().Trim();
        var i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        // Leading zeros are legal (RFC 4475 3.1.1.1); values of 2**31 and above are not (3.1.2.4).
        if (!SipSyntax.TryParseUInt(s[..i], MaxNumber, out var number)) { error = "invalid CSeq number"; return false; }
        var j = SipSyntax.SkipWhitespace(s, i);
        if (j == i) { error = "CSeq needs a number and a method"; return false; }
        var method = s[j..];
        if (!SipSyntax.IsToken(method)) { error = "invalid CSeq method"; return false; }
        value = new CSeq(number, SipSyntax.Method(method));
        error = null;
        return true;
    }

    public override string ToString() => $"{Number} {Method}";
}
