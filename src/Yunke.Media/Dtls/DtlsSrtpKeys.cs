using Yunke.Media.Srtp;

namespace Yunke.Media.Dtls;

/// <summary>
/// Which side of the DTLS handshake we take. The SDP setup attribute decides (RFC 5763 5): the side that says
/// <c>a=setup:active</c> is the DTLS client. Yunke answering a browser's offer (<c>actpass</c>) says
/// <c>passive</c>, so it is usually the server.
/// </summary>
public enum DtlsRole
{
    Server,
    Client,
}

/// <summary>The outcome of a DTLS-SRTP handshake: the profile both sides chose and a master key per direction.</summary>
/// <param name="Local">Protects what we send (SRTP and SRTCP).</param>
/// <param name="Remote">Unprotects what we receive.</param>
public sealed record DtlsSrtpKeys(SrtpProfile Profile, SrtpMasterKey Local, SrtpMasterKey Remote)
{
    internal const string ExporterLabel = "EXTRACTOR-dtls_srtp";
    private const int KeyLength = 16, SaltLength = 14;      // AES-128 and the 112-bit salt, for both profiles
    internal const int MaterialLength = 2 * (KeyLength + SaltLength);

    /// <summary>Splits the exported keying material as RFC 5764 4.2 lays it out:
    /// client write key, server write key, client write salt, server write salt.</summary>
    internal static DtlsSrtpKeys FromKeyingMaterial(SrtpProfile profile, ReadOnlySpan<byte> material, DtlsRole role)
    {
        if (material.Length != MaterialLength)
            throw new ArgumentException($"DTLS-SRTP keying material is {MaterialLength} bytes.", nameof(material));
        var client = new SrtpMasterKey(profile, material[..KeyLength].ToArray(), material.Slice(2 * KeyLength, SaltLength).ToArray());
        var server = new SrtpMasterKey(profile, material.Slice(KeyLength, KeyLength).ToArray(), material.Slice(2 * KeyLength + SaltLength, SaltLength).ToArray());
        return role == DtlsRole.Client ? new(profile, client, server) : new(profile, server, client);
    }
}

/// <summary>Settings of a <see cref="DtlsSrtpEndpoint"/>.</summary>
public sealed record DtlsSrtpOptions
{
    /// <summary>How long the handshake may take, retransmissions included (they start at 1 s and double).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The SRTP profiles we accept, preferred first: as server we pick the first one the client offers too.</summary>
    public IReadOnlyList<SrtpProfile> Profiles { get; init; } = [SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32];

    /// <summary>The largest datagram DTLS sends (it fragments its handshake to fit). 1200 is WebRTC's usual
    /// figure: it passes IPv6 and tunnels without fragmentation.</summary>
    public int Mtu { get; init; } = 1200;
}

public enum DtlsSrtpFailure
{
    /// <summary>The peer's certificate is not the one its SDP's <c>a=fingerprint</c> names (or it sent none).</summary>
    FingerprintMismatch,

    /// <summary>The peer offered or chose no SRTP profile we accept (or no use_srtp at all).</summary>
    NoCommonProfile,

    /// <summary>Anything else: the peer's alert, a malformed handshake, our own refusal seen from the other side.</summary>
    HandshakeFailed,
}

/// <summary>A DTLS-SRTP handshake that did not give keys, and why.</summary>
public sealed class DtlsSrtpException(DtlsSrtpFailure failure, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public DtlsSrtpFailure Failure { get; } = failure;
}
