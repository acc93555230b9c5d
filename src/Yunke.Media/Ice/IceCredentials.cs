using System.Security.Cryptography;

namespace Yunke.Media.Ice;

/// <summary>
/// One side's ICE username fragment and password (RFC 8445 5.3, SDP attributes a=ice-ufrag and a=ice-pwd,
/// RFC 8839 5.4). The password keys MESSAGE-INTEGRITY of checks sent TO that side.
/// </summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    /// <summary>ice-char: ALPHA / DIGIT / "+" / "/" (RFC 8839 9.1), 64 of them, so each random one is 6 bits.</summary>
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>
    /// Fresh local credentials from the cryptographic generator: an 8-char ufrag (at least 24 bits of randomness
    /// asked, 48 given) and a 24-char password (128 bits asked, 144 given) (RFC 8445 5.3). Unguessable, so a
    /// stranger's packets cannot pass the checks nor steer the media elsewhere.
    /// </summary>
    public static IceCredentials Generate() =>
        new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));

    /// <summary>The grammar's bounds: a ufrag of 4–256 ice-chars, a password of 22–256 (RFC 8839 5.4).</summary>
    public static bool IsValidUfrag(string? ufrag) => ufrag is { Length: >= 4 and <= 256 } && ufrag.All(IceChars.Contains);
    public static bool IsValidPassword(string? password) => password is { Length: >= 22 and <= 256 } && password.All(IceChars.Contains);
}
