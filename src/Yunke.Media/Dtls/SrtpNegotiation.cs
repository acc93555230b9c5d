using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Yunke.Media.Srtp;

namespace Yunke.Media.Dtls;

/// <summary>
/// What the DTLS server and client sides have in common: our credentials, the use_srtp choice, the check of the
/// peer's certificate against the SDP fingerprint, and the keys at the end. BouncyCastle calls the peer classes
/// on the handshake thread; a refusal is kept here so the caller learns why rather than just an alert number.
/// </summary>
internal sealed class SrtpNegotiation(DtlsRole role, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint, IReadOnlyList<SrtpProfile> profiles)
{
    public DtlsRole Role => role;

    public int[] Profiles { get; } = profiles.Select(p => (int)p).ToArray();

    public SrtpProfile? Selected { get; private set; }

    public DtlsSrtpException? Refusal { get; private set; }

    public string? AlertReceived { get; set; }

    public DtlsSrtpKeys? Keys { get; private set; }

    /// <summary>As server: the first of our profiles the client offers too.</summary>
    public void ChooseFrom(UseSrtpData? offered)
    {
        var choice = offered is null ? -1 : Array.FindIndex(Profiles, offered.ProtectionProfiles.Contains);
        if (choice < 0)
            Refuse(DtlsSrtpFailure.NoCommonProfile, AlertDescription.handshake_failure, offered is null
                ? "The DTLS client offered no SRTP (no use_srtp extension)."
                : $"The DTLS client offered no SRTP profile we accept (offered: {string.Join(", ", offered.ProtectionProfiles)}).");
        Selected = (SrtpProfile)Profiles[choice];
    }

    /// <summary>As client: the server must have chosen exactly one of the profiles we offered.</summary>
    public void AcceptChoice(UseSrtpData? chosen)
    {
        if (chosen is not { ProtectionProfiles: [var profile] } || !Profiles.Contains(profile))
            Refuse(DtlsSrtpFailure.NoCommonProfile, AlertDescription.illegal_parameter, chosen is null
                ? "The DTLS server did not agree to SRTP (no use_srtp extension)."
                : $"The DTLS server chose SRTP profiles we did not offer ({string.Join(", ", chosen.ProtectionProfiles)}).");
        Selected = (SrtpProfile)chosen!.ProtectionProfiles[0];
    }

    /// <summary>The only authentication of a WebRTC peer: its certificate is the one its SDP named.</summary>
    public void VerifyPeer(Certificate? peerCertificate)
    {
        if (peerCertificate is null || peerCertificate.IsEmpty)
            Refuse(DtlsSrtpFailure.FingerprintMismatch, AlertDescription.certificate_required, "The DTLS peer sent no certificate.");
        if (!remoteFingerprint.Matches(peerCertificate!.GetCertificateAt(0).GetEncoded()))
            Refuse(DtlsSrtpFailure.FingerprintMismatch, AlertDescription.bad_certificate,
                $"The DTLS peer's certificate is {DtlsFingerprint.Of(peerCertificate.GetCertificateAt(0).GetEncoded(), remoteFingerprint.Algorithm)}, " +
                $"not {remoteFingerprint} as its SDP says.");
    }

    public TlsCredentialedSigner Signer(TlsContext context)
    {
        var crypto = (BcTlsCrypto)context.Crypto;
        var chain = new Certificate([crypto.CreateCertificate(certificate.Der)]);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, certificate.PrivateKey, chain,
            SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    /// <summary>Exports the keys once the handshake is complete (RFC 5764 4.2).</summary>
    public void Complete(TlsContext context)
    {
        if (Selected is not { } profile)
            Refuse(DtlsSrtpFailure.NoCommonProfile, AlertDescription.handshake_failure, "The handshake ended without an SRTP profile.");
        var material = context.ExportKeyingMaterial(DtlsSrtpKeys.ExporterLabel, null, DtlsSrtpKeys.MaterialLength);
        Keys = DtlsSrtpKeys.FromKeyingMaterial(Selected!.Value, material, role);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Refuse(DtlsSrtpFailure failure, short alert, string message)
    {
        Refusal = new DtlsSrtpException(failure, message);
        throw new TlsFatalAlert(alert, message);
    }
}
