using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Yunke.Media.Dtls;

/// <summary>
/// Yunke's DTLS identity: a self-signed ECDSA P-256 certificate made in memory, as browsers make theirs
/// (RTCPeerConnection.generateCertificate). Nobody checks a chain: each side sends its certificate's fingerprint in
/// its SDP and the other checks the certificate of the handshake against it. One per process serves every call.
/// </summary>
public sealed class DtlsCertificate
{
    private static readonly Lazy<DtlsCertificate> shared = new(() => Create());

    private DtlsCertificate(byte[] der, ECPrivateKeyParameters privateKey)
    {
        Der = der;
        PrivateKey = privateKey;
        Fingerprint = DtlsFingerprint.Of(der);
    }

    /// <summary>The process's certificate, made on first use.</summary>
    public static DtlsCertificate Shared => shared.Value;

    /// <summary>The certificate, DER-encoded.</summary>
    public byte[] Der { get; }

    /// <summary>Its SHA-256 fingerprint: what goes in our SDP's <c>a=fingerprint:</c> (<c>ToString()</c>).</summary>
    public DtlsFingerprint Fingerprint { get; }

    internal ECPrivateKeyParameters PrivateKey { get; }

    /// <param name="validity">Peers check the fingerprint, not the dates, but some tools warn on an expired
    /// certificate; a year outlives any process.</param>
    public static DtlsCertificate Create(string commonName = "Yunke", TimeSpan? validity = null)
    {
        var random = new SecureRandom();
        var keys = new ECKeyPairGenerator();
        keys.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var pair = keys.GenerateKeyPair();

        var name = new X509Name("CN=" + commonName);
        var now = DateTime.UtcNow;
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(63, random).Add(BigInteger.One));    // positive, never zero
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);
        generator.SetNotBefore(now.AddDays(-1));                                        // tolerates a peer's clock behind ours
        generator.SetNotAfter(now + (validity ?? TimeSpan.FromDays(365)));
        generator.SetPublicKey(pair.Public);
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private, random));
        return new DtlsCertificate(certificate.GetEncoded(), (ECPrivateKeyParameters)pair.Private);
    }
}
