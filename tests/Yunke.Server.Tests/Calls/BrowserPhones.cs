using System.Net;
using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Media.Tests.Sessions;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Tests.Calls;

/// <summary>What a browser reads from Yunke's WebRTC SDP and writes in its own, for the call tests' browser phones.</summary>
internal static class BrowserPhones
{
    /// <summary>Yunke's side of a browser leg from its SDP: its one candidate, ICE credentials and fingerprint.</summary>
    public static (IPEndPoint Candidate, IceCredentials Ice, DtlsFingerprint Fingerprint, string Setup, string? Mid) Read(string sdpText)
    {
        var sdp = SdpSession.Parse(sdpText);
        var audio = sdp.Media.ShouldHaveSingleItem();
        audio.Protocol.ShouldBe("UDP/TLS/RTP/SAVPF");
        audio.Attributes.ShouldContain(a => a.Name == "rtcp-mux");
        sdp.Attributes.ShouldContain(a => a.Name == "ice-lite");
        var candidate = audio.GetAttribute("candidate").ShouldNotBeNull().Split(' ');
        candidate[2].ShouldBe("UDP");
        candidate[7].ShouldBe("host");
        var ice = IceSdp.ReadCredentials(sdp.Attributes.Concat(audio.Attributes).Select(a => $"{a.Name}:{a.Value}")).ShouldNotBeNull();
        return (new IPEndPoint(IPAddress.Parse(candidate[4]), int.Parse(candidate[5])), ice,
            DtlsFingerprint.Parse(audio.GetAttribute("fingerprint").ShouldNotBeNull()), audio.GetAttribute("setup").ShouldNotBeNull(), audio.GetAttribute("mid"));
    }

    /// <summary>A browser's SDP as Chromium writes it for audio (an offer with actpass, an answer with active): a
    /// discard port and no address, since ICE finds the way; PCMU and telephone events among codecs Yunke does not take.</summary>
    public static string Sdp(WebRtcBrowser browser, string setup, string direction = "sendrecv", string mid = "0", DtlsFingerprint? fingerprint = null) =>
        "v=0\r\n" +
        $"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE {mid}\r\na=msid-semantic: WMS\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
        $"a=ice-ufrag:{browser.Ice.Ufrag}\r\na=ice-pwd:{browser.Ice.Password}\r\na=ice-options:trickle\r\n" +
        $"a=fingerprint:{fingerprint ?? browser.Certificate.Fingerprint}\r\na=setup:{setup}\r\na=mid:{mid}\r\n" +
        $"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na={direction}\r\na=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n" +
        "a=ssrc:724405 cname:browser\r\n";
}
