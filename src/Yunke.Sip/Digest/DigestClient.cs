using System.Globalization;
using System.Security.Cryptography;

namespace Yunke.Sip.Digest;

/// <summary>The client side: answering a challenge with credentials (RFC 2617 3.2.2, RFC 3261 22.2).</summary>
public static class DigestClient
{
    /// <param name="nonceCount">How many requests this nonce has been used for, this one included (1 for the first).</param>
    /// <param name="cnonce">Client nonce; a random one when not given.</param>
    public static DigestCredentials CreateCredentials(DigestChallenge challenge, string username, string password,
        string method, string uri, uint nonceCount = 1, string? cnonce = null)
    {
        var ha1 = DigestHash.Ha1(username, challenge.Realm, password);
        if (!challenge.OffersQopAuth)
        {
            return new DigestCredentials(username, challenge.Realm, challenge.Nonce, uri, DigestHash.Response(ha1, challenge.Nonce, method, uri))
            {
                Algorithm = challenge.Algorithm,
                Opaque = challenge.Opaque,
            };
        }
        cnonce ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var nc = nonceCount.ToString("x8", CultureInfo.InvariantCulture);
        return new DigestCredentials(username, challenge.Realm, challenge.Nonce, uri,
            DigestHash.Response(ha1, challenge.Nonce, method, uri, "auth", nc, cnonce))
        {
            Algorithm = challenge.Algorithm,
            Opaque = challenge.Opaque,
            Qop = "auth",
            Cnonce = cnonce,
            NonceCount = nc,
        };
    }
}
