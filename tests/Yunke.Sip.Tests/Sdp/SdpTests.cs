using Yunke.Sip.Sdp;

namespace Yunke.Sip.Tests.Sdp;

public class SdpTests
{
    private const string Offer =
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\n" +
        "s=-\r\n" +
        "c=IN IP4 198.51.100.1\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 97 101\r\n" +
        "a=rtpmap:97 iLBC/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-15\r\n" +
        "a=ptime:20\r\n" +
        "a=sendonly\r\n" +
        "m=video 51372 RTP/AVP 31 32\r\n" +
        "a=rtpmap:31 H261/90000\r\n" +
        "a=rtpmap:32 MPV/90000\r\n";

    [Fact]
    public void Parses_sessions_media_rtpmap_fmtp_and_direction()
    {
        var sdp = SdpSession.Parse(Offer);
        sdp.Origin.SessionId.ShouldBe("2890844526");
        sdp.Origin.Address.ShouldBe("198.51.100.1");
        sdp.Connection!.Address.ShouldBe("198.51.100.1");
        sdp.Media.Count.ShouldBe(2);
        var audio = sdp.Media[0];
        audio.Port.ShouldBe(49170);
        audio.Formats.ShouldBe(["0", "8", "97", "101"]);
        audio.RtpMaps.Select(m => m.Encoding).ShouldBe(["PCMU", "PCMA", "iLBC", "telephone-event"]);
        audio.GetFmtp(101).ShouldBe("0-15");
        audio.Direction.ShouldBe(SdpDirection.SendOnly);
        sdp.DirectionOf(sdp.Media[1]).ShouldBe(SdpDirection.SendRecv);
        sdp.ConnectionOf(sdp.Media[1])!.Address.ShouldBe("198.51.100.1");
    }

    [Fact]
    public void Serializes_back_to_the_same_text()
    {
        SdpSession.Parse(Offer).ToString().ShouldBe(Offer);
    }

    [Fact]
    public void Parses_the_body_of_an_rfc4475_message()
    {
        var sdp = SdpSession.Parse("v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\ns=-\r\nc=IN IP4 192.0.2.4\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n");
        sdp.Media[1].GetAttribute("rtpmap").ShouldBe("31 LPC");
        sdp.Media[1].RtpMaps.ShouldBeEmpty(); // an rtpmap without a clock rate means nothing
        sdp.Media[0].RtpMaps.Select(m => m.PayloadType).ShouldBe([0]); // 12 is neither mapped nor static-known
    }

    [Theory]
    [InlineData("")]
    [InlineData("o=x 1 1 IN IP4 a\r\n")]
    [InlineData("v=0\r\nthis is not sdp\r\n")]
    [InlineData("v=0\r\no=too few\r\n")]
    [InlineData("v=0\r\nm=audio port RTP/AVP 0\r\n")]
    [InlineData("v=0\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n")]
    [InlineData("v=0\r\nx=unknown\r\n")]
    public void Malformed_descriptions_are_refused(string text)
    {
        SdpSession.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    private static readonly SdpOrigin Ours = new("yunke", "1", "1", "IN", "IP4", "192.0.2.10");

    [Fact]
    public void Answer_intersects_codecs_by_name_mirrors_direction_and_rejects_what_it_cannot_take()
    {
        var offer = SdpSession.Parse(Offer);
        var answer = SdpOfferAnswer.CreateAnswer(offer, Ours, "192.0.2.10", new Dictionary<string, SdpLocalMedia>
        {
            ["audio"] = new(30000, [new("PCMA", 8000), new("opus", 48000, 2), new("PCMU", 8000), new("telephone-event", 8000)]),
        });

        var text = answer.ToString();
        var reparsed = SdpSession.Parse(text);
        reparsed.Media.Count.ShouldBe(2);
        var audio = reparsed.Media[0];
        audio.Port.ShouldBe(30000);
        audio.Formats.ShouldBe(["8", "0", "101"]); // our preference, the offer's numbers
        audio.GetFmtp(101).ShouldBe("0-15");
        audio.Direction.ShouldBe(SdpDirection.RecvOnly); // they only send
        audio.GetAttribute("ptime").ShouldBe("20");
        var video = reparsed.Media[1];
        video.IsRejected.ShouldBeTrue();
        video.Formats.ShouldBe(["31", "32"]);
        reparsed.Connection!.Address.ShouldBe("192.0.2.10");
    }

    [Fact]
    public void No_common_codec_rejects_the_stream()
    {
        var offer = SdpSession.Parse("v=0\r\no=a 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 101\r\na=rtpmap:101 telephone-event/8000\r\n");
        var answer = SdpOfferAnswer.CreateAnswer(offer, Ours, "192.0.2.10", new Dictionary<string, SdpLocalMedia>
        {
            ["audio"] = new(30000, [new("PCMU", 8000), new("telephone-event", 8000)]),
        });
        answer.Media.ShouldHaveSingleItem().Port.ShouldBe(0);
    }

    [Theory]
    [InlineData("RTP/AVP", null, true)]
    [InlineData("RTP/AVPF", null, true)]
    [InlineData("RTP/SAVP", null, false)]            // SDES keys we do not handle: refused, never answered in clear
    [InlineData("UDP/TLS/RTP/SAVPF", null, false)]   // DTLS-SRTP only when the caller says it adds the security
    [InlineData("UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVPF", true)]
    [InlineData("RTP/AVP", "UDP/TLS/RTP/SAVPF", false)]
    public void Only_the_transports_we_take_are_answered(string offered, string? ours, bool accepted)
    {
        var offer = SdpSession.Parse($"v=0\r\no=a 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 4000 {offered} 0\r\n");
        var answer = SdpOfferAnswer.CreateAnswer(offer, Ours, "192.0.2.10", new Dictionary<string, SdpLocalMedia>
        {
            ["audio"] = new(30000, [new("PCMU", 8000)], Protocols: ours is null ? null : [ours]),
        });
        var media = answer.Media.ShouldHaveSingleItem();
        media.IsRejected.ShouldBe(!accepted);
        media.Protocol.ShouldBe(offered);
    }

    [Theory]
    [InlineData("sendrecv", SdpDirection.SendRecv, SdpDirection.SendRecv)]
    [InlineData("sendonly", SdpDirection.SendRecv, SdpDirection.RecvOnly)]
    [InlineData("recvonly", SdpDirection.SendRecv, SdpDirection.SendOnly)]
    [InlineData("inactive", SdpDirection.SendRecv, SdpDirection.Inactive)]
    [InlineData("sendrecv", SdpDirection.RecvOnly, SdpDirection.RecvOnly)]
    [InlineData("recvonly", SdpDirection.RecvOnly, SdpDirection.Inactive)]
    public void Direction_of_the_answer(string offered, SdpDirection local, SdpDirection expected)
    {
        var offer = SdpSession.Parse($"v=0\r\no=a 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\na={offered}\r\nm=audio 4000 RTP/AVP 0\r\n");
        var answer = SdpOfferAnswer.CreateAnswer(offer, Ours, "192.0.2.10", new Dictionary<string, SdpLocalMedia>
        {
            ["audio"] = new(30000, [new("PCMU", 8000)], local),
        });
        answer.Media[0].Direction.ShouldBe(expected);
    }

    [Fact]
    public void Ipv6_connection_lines()
    {
        var answer = SdpOfferAnswer.CreateAnswer(SdpSession.Parse(Offer), Ours, "2001:db8::10", new Dictionary<string, SdpLocalMedia>());
        answer.Connection.ShouldBe(new SdpConnection("IN", "IP6", "2001:db8::10"));
        answer.Media.All(m => m.IsRejected).ShouldBeTrue();
    }
}
