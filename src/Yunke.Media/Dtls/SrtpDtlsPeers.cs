using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Yunke.Media.Dtls;

// BouncyCastle's two sides of the handshake, DTLS 1.2 only (what browsers speak), each handing every decision
// to the call's SrtpNegotiation.

internal sealed class SrtpDtlsServer(SrtpNegotiation negotiation) : DefaultTlsServer(new BcTlsCrypto())
{
    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    // Our certificate is ECDSA: only the ECDHE_ECDSA suites can use it.
    protected override int[] GetSupportedCipherSuites() =>
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    ];

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => negotiation.Signer(m_context);

    // A client certificate is required: without it nothing proves the browser is the one that sent the SDP.
    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate) => negotiation.VerifyPeer(clientCertificate);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        negotiation.ChooseFrom(TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions));
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = base.GetServerExtensions();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)negotiation.Selected!.Value], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        negotiation.AlertReceived = AlertDescription.GetText(alertDescription);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        negotiation.Complete(m_context);
    }
}

internal sealed class SrtpDtlsClient(SrtpNegotiation negotiation) : DefaultTlsClient(new BcTlsCrypto())
{
    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = base.GetClientExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(negotiation.Profiles, TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        negotiation.AcceptChoice(serverExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions));
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(negotiation, m_context);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        negotiation.AlertReceived = AlertDescription.GetText(alertDescription);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        negotiation.Complete(m_context);
    }

    private sealed class Authentication(SrtpNegotiation negotiation, TlsContext context) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => negotiation.VerifyPeer(serverCertificate.Certificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => negotiation.Signer(context);
    }
}
