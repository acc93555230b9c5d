using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Yunke.Sip.Digest;

/// <summary>The MD5 digest computations of RFC 2617 3.2.2.</summary>
public static class DigestHash
{
    /// <summary>Characters of an MD5 in lower-case hex.</summary>
    internal const int HexLength = 32;

    /// <summary>HA1 = MD5(username:realm:password): what a server stores instead of the password.</summary>
    public static string Ha1(string username, string realm, string password) => Md5Hex($"{username}:{realm}:{password}");

    /// <summary>The request-digest; with qop=auth it covers nonce-count and client nonce, without (RFC 2069) it does not.</summary>
    public static string Response(string ha1, string nonce, string method, string uri, string? qop = null, string? nonceCount = null, string? cnonce = null)
    {
        Span<byte> hex = stackalloc byte[HexLength];
        Response(ha1, nonce, method, uri, qop, nonceCount, cnonce, hex);
        return Encoding.ASCII.GetString(hex);
    }

    /// <summary>The request-digest as lower-case hex into <paramref name="hex"/> (32 bytes), without allocating: the registrar checks one per REGISTER.</summary>
    internal static void Response(string ha1, string nonce, string method, string uri, string? qop, string? nonceCount, string? cnonce, Span<byte> hex)
    {
        var max = Encoding.UTF8.GetMaxByteCount(ha1.Length + nonce.Length + method.Length + uri.Length
            + (qop?.Length ?? 0) + (nonceCount?.Length ?? 0) + (cnonce?.Length ?? 0)) + HexLength + 8;
        var rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        var text = rented ?? stackalloc byte[1024];
        var n = Append(text, 0, method, first: true);
        n = Append(text, n, uri);
        Span<byte> ha2 = stackalloc byte[HexLength];
        Md5Hex(text[..n], ha2);
        n = Append(text, 0, ha1, first: true);
        n = Append(text, n, nonce);
        if (qop is not null)
        {
            n = Append(text, n, nonceCount ?? "");
            n = Append(text, n, cnonce ?? "");
            n = Append(text, n, qop);
        }
        text[n++] = (byte)':';
        ha2.CopyTo(text[n..]);
        Md5Hex(text[..(n + HexLength)], hex);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
    }

    private static int Append(Span<byte> text, int at, string part, bool first = false)
    {
        if (!first) text[at++] = (byte)':';
        return at + Encoding.UTF8.GetBytes(part, text[at..]);
    }

    // One MD5 context per thread, reset after each use: OpenSSL's one-shot call looks the algorithm up and builds a
    // context every time, which for these few dozen bytes cost more than the hashing (two per REGISTER checked).
    [ThreadStatic] private static IncrementalHash? md5;

    private static void Md5Hex(ReadOnlySpan<byte> text, Span<byte> hex)
    {
        Span<byte> hash = stackalloc byte[16];
        var hasher = md5 ??= IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        hasher.AppendData(text);
        hasher.GetHashAndReset(hash);
        Convert.TryToHexStringLower(hash, hex, out _);
    }

    public static string Md5Hex(string text)
    {
        Span<byte> hash = stackalloc byte[16];
        // MD5 is what RFC 2617 and every SIP phone speak; it is not used here for anything else.
        MD5.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Compares a computed digest with the one a client sent (hex in either case), in time independent of where they differ.</summary>
    internal static bool FixedTimeEqualsIgnoreCase(ReadOnlySpan<byte> expected, string received)
    {
        if (received.Length != expected.Length) return false;
        var difference = 0;
        for (var i = 0; i < expected.Length; i++) difference |= expected[i] ^ (received[i] | 0x20); // 'A'..'F' | 0x20 = 'a'..'f'
        return difference == 0;
    }
}
