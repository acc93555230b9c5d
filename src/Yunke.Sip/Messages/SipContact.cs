using System.Globalization;

namespace Yunke.Sip.Messages;

/// <summary>One Contact value: an address with its expires and q parameters, or the "*" wildcard
/// a REGISTER uses to remove every binding (RFC 3261 10.2.2).</summary>
public sealed class SipContact
{
    private SipContact() { }

    public SipContact(NameAddress address) => Address = address;

    public static SipContact Wildcard { get; } = new();

    public bool IsWildcard => Address is null;
    public NameAddress? Address { get; }

    /// <summary>The expires parameter in seconds; values beyond 2**32-1 are capped to it. Null when absent or not numeric.</summary>
    public uint? Expires
    {
        get
        {
            var text = Address?.Parameters["expires"];
            if (text is null || text.Length == 0 || !text.All(char.IsAsciiDigit)) return null;
            return SipSyntax.TryParseUInt(text, uint.MaxValue, out var v) ? v : uint.MaxValue;
        }
    }

    /// <summary>The q preference between 0 and 1; null when absent or malformed.</summary>
    public double? Q =>
        double.TryParse(Address?.Parameters["q"], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q is >= 0 and <= 1
            ? q : null;

    public static bool TryParse(string text, out SipContact contact, out string? error)
    {
        if (text.AsSpan().Trim() is "*")
        {
            contact = Wildcard;
            error = null;
            return true;
        }
        contact = null!;
        if (!NameAddress.TryParse(text, out var address, out error)) return false;
        contact = new SipContact(address);
        return true;
    }

    /// <summary>A copy to change freely (the wildcard has nothing to change).</summary>
    internal SipContact Copy() => Address is null ? this : new SipContact(Address.Copy());

    public override string ToString() => Address?.ToString() ?? "*";
}
