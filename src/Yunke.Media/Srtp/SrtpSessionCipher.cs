using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Yunke.Media.Srtp;

/// <summary>
/// AES_CM_128 encryption and HMAC-SHA1 authentication under one set of session keys (SRTP's or SRTCP's).
/// Not thread-safe: <see cref="SrtpContext"/> serialises calls.
/// </summary>
internal sealed class SrtpSessionCipher : IDisposable
{
    public const int FullTagLength = 10;   // HMAC-SHA1 truncated to 80 bits
    private const int Sha1Length = 20;

    private readonly AesCounterMode aes;
    private readonly byte[] salt;
    // Kept and reset after each packet: HMAC.HashData would set up the HMAC key afresh for every packet.
    private readonly IncrementalHash hmac;

    public SrtpSessionCipher(SrtpSessionKeys keys)
    {
        aes = new AesCounterMode(keys.EncryptionKey);
        salt = keys.Salt;
        hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.AuthenticationKey);
    }

    /// <summary>
    /// Encrypts or decrypts a packet's encrypted part; the IV is (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16)
    /// (RFC 3711 4.1.1), index being the 48-bit SRTP packet index or the 31-bit SRTCP index.
    /// </summary>
    public void Transform(uint ssrc, ulong index, Span<byte> data)
    {
        Span<byte> iv = stackalloc byte[16];
        salt.CopyTo(iv);
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
        for (var i = 0; i < 4; i++) iv[4 + i] ^= word[i];
        BinaryPrimitives.WriteUInt64BigEndian(word, index);   // bytes 2..7 land on iv[8..13]
        for (var i = 0; i < 8; i++) iv[6 + i] ^= word[i];
        aes.Transform(iv, data);
    }

    /// <summary>Writes the tag (its length: 10 or 4 bytes) of the authenticated portion followed by <paramref name="suffix"/> (SRTP's ROC, RFC 3711 4.2).</summary>
    public void Sign(ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> suffix, Span<byte> tag)
    {
        Span<byte> mac = stackalloc byte[Sha1Length];
        hmac.AppendData(authenticated);
        hmac.AppendData(suffix);
        hmac.GetHashAndReset(mac);
        mac[..tag.Length].CopyTo(tag);
    }

    public bool Verify(ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[FullTagLength];
        expected = expected[..tag.Length];
        Sign(authenticated, suffix, expected);
        // In constant time: an early-out compare tells a forger how many leading bytes were right.
        return CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    public void Dispose()
    {
        aes.Dispose();
        hmac.Dispose();
    }
}
