using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Yunke.Media.Dtls;

namespace Yunke.Media.Tests.Dtls;

public sealed class DtlsCertificateTests
{
    [Fact]
    public void The_certificate_is_a_self_signed_ecdsa_p256_one()
    {
        var certificate = DtlsCertificate.Create("yunke-test");
        using var x509 = X509CertificateLoader.LoadCertificate(certificate.Der);

        x509.Subject.ShouldBe("CN=yunke-test");
        x509.Issuer.ShouldBe(x509.Subject);
        x509.SignatureAlgorithm.Value.ShouldBe("1.2.840.10045.4.3.2");     // ecdsa-with-SHA256
        using var key = x509.GetECDsaPublicKey().ShouldNotBeNull();
        key.KeySize.ShouldBe(256);
        key.ExportParameters(false).Curve.Oid.Value.ShouldBe("1.2.840.10045.3.1.7");   // secp256r1
        x509.NotAfter.ShouldBeGreaterThan(DateTime.Now.AddDays(300));
        DtlsCertificate.Shared.ShouldBeSameAs(DtlsCertificate.Shared);
        DtlsCertificate.Create().Fingerprint.ToString().ShouldNotBe(certificate.Fingerprint.ToString());
    }

    [Fact]
    public void The_fingerprint_is_the_sha256_of_the_der_in_colon_separated_uppercase_hex()
    {
        var certificate = DtlsCertificate.Create();
        using var x509 = X509CertificateLoader.LoadCertificate(certificate.Der);
        var expected = string.Join(':', x509.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2")));

        var sdp = certificate.Fingerprint.ToString();

        sdp.ShouldBe("sha-256 " + expected);
        Regex.IsMatch(sdp, "^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$").ShouldBeTrue(sdp);
        certificate.Fingerprint.Algorithm.ShouldBe("sha-256");
    }

    [Fact]
    public void An_sdp_fingerprint_is_read_back_and_matches_only_its_certificate()
    {
        var certificate = DtlsCertificate.Create();
        var sdp = certificate.Fingerprint.ToString();

        var parsed = DtlsFingerprint.Parse(sdp);
        var lowerCase = DtlsFingerprint.Parse("SHA-256 " + sdp[8..].ToLowerInvariant());

        parsed.ToString().ShouldBe(sdp);
        lowerCase.ToString().ShouldBe(sdp);
        parsed.Matches(certificate.Der).ShouldBeTrue();
        lowerCase.Matches(certificate.Der).ShouldBeTrue();
        parsed.Matches(DtlsCertificate.Create().Der).ShouldBeFalse();
        DtlsFingerprint.Parse(DtlsFingerprint.Of(certificate.Der, "sha-1").ToString()).Matches(certificate.Der).ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha-256")]
    [InlineData("AB:CD")]
    [InlineData("md5 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]     // RFC 8122 5: no MD5
    [InlineData("sha-256 AB:CD")]                                           // too short
    [InlineData("sha-256 ZZ:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    [InlineData("sha-256 ABC:D:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    [InlineData("sha-1 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    public void A_malformed_sdp_fingerprint_is_refused(string value)
    {
        DtlsFingerprint.TryParse(value, out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => DtlsFingerprint.Parse(value));
    }
}
