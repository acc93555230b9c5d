using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Server.Telephony.Calls;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Tests.Calls;

/// <summary>Reading a browser's SDP: who takes which DTLS role (RFC 5763 5, RFC 8842), and what makes a leg unsecurable.</summary>
public sealed class WebRtcSdpTests
{
    private static readonly IceCredentials Browser = IceCredentials.Generate();
    private static readonly DtlsFingerprint Fingerprint = DtlsCertificate.Create("browser").Fingerprint;

    private static SdpSession Sdp(string? setup, bool fingerprint = true, bool ice = true, string where = "media")
    {
        var lines = new List<string>();
        if (ice) lines.AddRange([$"a=ice-ufrag:{Browser.Ufrag}", $"a=ice-pwd:{Browser.Password}"]);
        if (fingerprint) lines.Add($"a=fingerprint:{Fingerprint}");
        if (setup is not null) lines.Add($"a=setup:{setup}");
        var security = string.Concat(lines.Select(l => l + "\r\n"));
        return SdpSession.Parse("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + (where == "session" ? security : "") +
            "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=rtcp-mux\r\n" + (where == "media" ? security : ""));
    }

    [Theory]
    [InlineData("active", true, null, DtlsRole.Server)]     // our actpass offer, the browser chose to be the client
    [InlineData("passive", true, null, DtlsRole.Client)]
    [InlineData(null, true, null, DtlsRole.Server)]         // an answer without a=setup means active
    [InlineData("actpass", false, null, DtlsRole.Server)]   // the browser's offer: we answer passive
    [InlineData(null, false, null, DtlsRole.Server)]
    [InlineData("active", false, null, DtlsRole.Server)]
    [InlineData("passive", false, null, DtlsRole.Client)]
    [InlineData("actpass", false, DtlsRole.Client, DtlsRole.Client)] // a re-offer keeps the association we have
    public void The_dtls_role_we_take(string? theirs, bool weOffered, DtlsRole? established, DtlsRole expected)
    {
        var sdp = Sdp(theirs);
        var peer = WebRtcSdp.ReadPeer(sdp, sdp.Media[0], weOffered, established).ShouldNotBeNull();
        peer.OurRole.ShouldBe(expected);
        peer.Remote.ShouldBe(Browser);
        peer.Fingerprint.ToString().ShouldBe(Fingerprint.ToString());
    }

    [Fact]
    public void Session_level_credentials_and_fingerprint_count()
    {
        var sdp = Sdp("active", where: "session");
        WebRtcSdp.ReadPeer(sdp, sdp.Media[0], weOffered: true, established: null).ShouldNotBeNull().Remote.ShouldBe(Browser);
    }

    [Theory]
    [InlineData("active", false, true)]   // no fingerprint: nothing would authenticate the browser
    [InlineData("active", true, false)]   // no ICE credentials: its checks could not be verified
    [InlineData("actpass", true, true)]   // actpass in an answer sets up no association
    [InlineData("holdconn", true, true)]
    public void A_browser_sdp_that_cannot_be_secured_is_refused(string setup, bool fingerprint, bool ice)
    {
        var sdp = Sdp(setup, fingerprint, ice);
        WebRtcSdp.ReadPeer(sdp, sdp.Media[0], weOffered: true, established: null).ShouldBeNull();
    }

    [Fact]
    public void Our_setup_offers_actpass_first_then_keeps_the_role()
    {
        WebRtcSdp.OfferSetup(null).ShouldBe("actpass");
        WebRtcSdp.OfferSetup(DtlsRole.Server).ShouldBe("passive");
        WebRtcSdp.OfferSetup(DtlsRole.Client).ShouldBe("active");
    }
}
