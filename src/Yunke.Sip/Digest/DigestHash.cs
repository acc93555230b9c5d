using System.Security.Cryptography;
using System.Text;

namespace Yunke.Sip.Digest;

/// <summary>The MD5 digest computations of RFC 2617 3.2.2.</summary>
public static class DigestHash
{
    /// <summary>HA1 = MD5(username:realm:password): what a server stores instead of the password.</summary>
    public static string Ha1(string username, string realm, string password) => Md5Hex($"{username}:{realm}:{password}");

    /// <summary>The request-digest; with qop=auth it covers nonce-count and client nonce, without (RFC 2069) it does not.</summary>
    public static string Response(string ha1, string nonce, string method, string uri, string? qop = null, string? nonceCount = null, string? cnonce = null)
    {
        var ha2 = Md5Hex($"{method}:{uri}");
        return qop is null ? Md5Hex($"{ha1}:{nonce}:{ha2}") : Md5Hex($"{ha1}:{nonce}:{nonceCount}:{cnonce}:{qop}:{ha2}");
    }

    public static string Md5Hex(string text)
    {
        Span<byte> hash = stackalloc byte[16];
        // MD5 is what RFC 2617 and every SIP phone speak; it is not used here for anything else.
        MD5.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash);
    }
}
