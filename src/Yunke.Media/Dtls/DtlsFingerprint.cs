using System.Security.Cryptography;

namespace Yunke.Media.Dtls;

/// <summary>
/// A certificate fingerprint as SDP carries it in <c>a=fingerprint</c> (RFC 8122 5): a hash function name and the
/// hash of the certificate's DER as colon-separated uppercase hex, e.g. <c>sha-256 AB:CD:…</c>.
/// In WebRTC this is the only thing that authenticates the far end: the certificate itself is self-signed.
/// </summary>
public sealed class DtlsFingerprint
{
    private readonly byte[] hash;

    private DtlsFingerprint(string algorithm, byte[] hash)
    {
        Algorithm = algorithm;
        this.hash = hash;
    }

    /// <summary>The hash function's name as RFC 8122 spells it, lower case: <c>sha-256</c>, <c>sha-1</c>...</summary>
    public string Algorithm { get; }

    public ReadOnlySpan<byte> Hash => hash;

    /// <summary>The fingerprint of a DER-encoded certificate with the named hash (sha-256 unless said).</summary>
    public static DtlsFingerprint Of(ReadOnlySpan<byte> certificateDer, string algorithm = "sha-256")
    {
        var name = algorithm.Trim().ToLowerInvariant();
        return new DtlsFingerprint(name, Digest(name, certificateDer)
            ?? throw new ArgumentException($"Unknown fingerprint hash function '{algorithm}'.", nameof(algorithm)));
    }

    /// <summary>Reads the value of an SDP <c>a=fingerprint</c> line (what follows the colon).</summary>
    public static DtlsFingerprint Parse(string sdpValue) =>
        TryParse(sdpValue, out var fingerprint)
            ? fingerprint
            : throw new FormatException($"Not an SDP fingerprint (RFC 8122: 'sha-256 AB:CD:...'): '{sdpValue}'.");

    public static bool TryParse(string? sdpValue, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        var parts = sdpValue?.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not { Length: 2 })
            return false;
        var algorithm = parts[0].ToLowerInvariant();
        var length = HashLength(algorithm);
        var octets = parts[1].Split(':');
        if (length == 0 || octets.Length != length)
            return false;
        var hash = new byte[length];
        for (var i = 0; i < length; i++)
            if (octets[i].Length != 2 || !byte.TryParse(octets[i], System.Globalization.NumberStyles.AllowHexSpecifier, null, out hash[i]))
                return false;
        fingerprint = new DtlsFingerprint(algorithm, hash);
        return true;
    }

    /// <summary>Whether this is the fingerprint of the given certificate, hashed with this fingerprint's function.</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer) =>
        Digest(Algorithm, certificateDer) is { } digest && CryptographicOperations.FixedTimeEquals(digest, hash);

    /// <summary>As SDP writes it: <c>sha-256 AB:CD:...</c>.</summary>
    public override string ToString() => $"{Algorithm} {string.Join(':', hash.Select(b => b.ToString("X2")))}";

    // MD5 and MD2 are in RFC 8122's registry too, but RFC 8122 5 forbids them for new use: not accepted.
    private static byte[]? Digest(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        "sha-1" => SHA1.HashData(data),
        "sha-256" => SHA256.HashData(data),
        "sha-384" => SHA384.HashData(data),
        "sha-512" => SHA512.HashData(data),
        _ => null,
    };

    private static int HashLength(string algorithm) => algorithm switch
    {
        "sha-1" => 20,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => 0,
    };
}
