using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Yunke.Media.Srtp;

/// <summary>
/// AES in counter mode as SRTP defines it (RFC 3711 4.1.1): block j of the keystream is AES(key, IV + j), XORed
/// onto the data. .NET has no CTR mode, so the counter blocks are encrypted with AES-ECB; one encryptor is kept for
/// the key's life and fed from two scratch arrays, so a packet allocates nothing.
/// Not thread-safe: its owner serialises calls.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    private const int BlockSize = 16;
    // Enough for a G.711 or Opus frame in one AES call; longer data goes in several.
    private const int ChunkBlocks = 32;

    private readonly Aes aes;
    private readonly ICryptoTransform encryptor;
    private readonly byte[] counters = new byte[ChunkBlocks * BlockSize];
    private readonly byte[] keystream = new byte[ChunkBlocks * BlockSize];

    public AesCounterMode(byte[] key)
    {
        aes = Aes.Create();
        aes.Key = key;
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        // One ICryptoTransform kept, rather than Aes.EncryptEcb(span, span): that one-shot builds a native cipher
        // context on every call.
        encryptor = aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at <paramref name="iv"/> (16 bytes) onto <paramref name="data"/>: encrypts and decrypts alike.</summary>
    /// <remarks>
    /// The block counter is added to the IV's low 16 bits, which SRTP's IVs leave zero (RFC 3711 4.1.1), so a
    /// keystream may run to 2^16 blocks (1 MB), far beyond any datagram.
    /// </remarks>
    public void Transform(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        var ivLow = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
        var block = 0;
        while (!data.IsEmpty)
        {
            var length = Math.Min(data.Length, counters.Length);
            var blocks = (length + BlockSize - 1) / BlockSize;
            for (var b = 0; b < blocks; b++)
            {
                var counter = counters.AsSpan(b * BlockSize, BlockSize);
                iv[..14].CopyTo(counter);
                BinaryPrimitives.WriteUInt16BigEndian(counter[14..], (ushort)(ivLow + block + b));
            }
            encryptor.TransformBlock(counters, 0, blocks * BlockSize, keystream, 0);
            var chunk = data[..length];
            for (var i = 0; i < chunk.Length; i++) chunk[i] ^= keystream[i];
            data = data[length..];
            block += blocks;
        }
    }

    public void Dispose()
    {
        encryptor.Dispose();
        aes.Dispose();
    }
}
