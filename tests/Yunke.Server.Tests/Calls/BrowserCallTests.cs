using System.Net;
using System.Net.Sockets;
using Yunke.Media.Dtls;
using Yunke.Media.Tests.Sessions;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Telephony;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;

namespace Yunke.Server.Tests.Calls;

/// <summary>
/// Browser phones (WebRTC over SIP over WebSocket, RFC 7118): Yunke offers and answers DTLS-SRTP with ICE-lite, the
/// browser (played from Yunke.Media's blocks on its own UDP socket) checks, shakes hands and talks SRTP, and a plain
/// SIP phone on the other leg hears it in clear RTP. Signalling goes down the browser's WebSocket.
/// </summary>
public sealed class BrowserCallTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_agent_in_the_browser_is_offered_webrtc_and_talks_with_a_sip_caller_over_srtp()
    {
        await using var desk = await Desks.DeskAsync(app, transport: "WS");
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Desks.Port(callerRtp)));

        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull("the browser rings, on its WebSocket");
        invite.Headers.Get("Via").ShouldNotBeNull().ShouldStartWith("SIP/2.0/WS", Case.Insensitive);
        var yunke = BrowserPhones.Read(invite.BodyText);
        yunke.Setup.ShouldBe("actpass", "the offerer lets the browser choose its DTLS role (RFC 5763 5)");
        await using var browser = new WebRtcBrowser(yunke.Candidate, yunke.Ice);
        var agentOk = desk.Phone.Reply(invite, 200, "OK", SipEndpoint.NewToken(), BrowserPhones.Sdp(browser, "active", mid: yunke.Mid!));
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull();
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        call.Ack(ok);
        await desk.EventuallyInAsync("talking");

        (await browser.CheckAsync()).ShouldBeTrue("Yunke answers the browser's ICE check, keyed with its own password");
        await browser.HandshakeAsync(yunke.Fingerprint); // a=setup:active: the browser is the DTLS client

        await Desks.DrainAsync(callerRtp);
        var toCallerSide = Desks.YunkeEndPoint(ok.BodyText);
        for (ushort seq = 0; seq < 10; seq++) await callerRtp.SendAsync(Desks.Rtp(0, seq, 0x21), toCallerSide);
        var heard = await browser.ReceiveRtpAsync(5, Patience);
        heard.Count.ShouldBe(5, "the caller is heard in the browser, through SRTP");
        heard.Select(packet => packet[^1]).ShouldAllBe(sample => sample == 0x21);

        for (ushort seq = 0; seq < 10; seq++)
            browser.Send(browser.Protect(seq, seq * 160u, Enumerable.Repeat((byte)0x22, 160).ToArray()));
        var fromBrowser = await Desks.CollectRtpAsync(callerRtp, 5, Patience);
        fromBrowser.Count.ShouldBe(5, "and the browser at the caller, decrypted");
        fromBrowser.Select(packet => packet[^1]).ShouldAllBe(sample => sample == 0x22);
        browser.Drain();
        browser.Unauthenticated.ShouldBe(0, "nothing reached the browser in clear");

        // The caller hangs up: Yunke's BYE reaches the browser on its WebSocket.
        var byeFromCaller = call.ByeAsync(ok);
        var bye = (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull("the BYE came down the WebSocket");
        desk.Phone.Reply(bye, 200, "OK", agentOk.To!.Tag!);
        (await byeFromCaller).ShouldNotBeNull();
        var record = await desk.OnlyCallAsync();
        record.Str("result").ShouldBe("answered");
        record.Str("reason").ShouldBe("BYE from the caller");
    }

    [Fact]
    public async Task A_caller_in_the_browser_is_answered_with_webrtc_hears_ringback_and_talks_with_a_sip_agent()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var browserPhone = await SipPhone.OpenWebSocketAsync(app.Server.CreateWebSocketClient(), app.Server.BaseAddress, app.SipPort);
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var browser = new WebRtcBrowser();
        var call = CallerCall.Dial(browserPhone, app.SipPort, desk.Tenant.Number, BrowserPhones.Sdp(browser, "actpass", mid: "audio-1"));

        var early = (await call.ProvisionalAsync(183)).ShouldNotBeNull("Yunke answers at once with early media");
        var yunke = BrowserPhones.Read(early.BodyText);
        yunke.Setup.ShouldBe("passive", "Yunke lets the browser start the handshake as soon as ICE has a pair");
        yunke.Mid.ShouldBe("audio-1", "the answer names the browser's stream as the browser did");
        browser.Answered(yunke.Candidate, yunke.Ice);
        (await browser.CheckAsync()).ShouldBeTrue();
        await browser.HandshakeAsync(yunke.Fingerprint);
        (await browser.ReceiveRtpAsync(5, Patience)).Count.ShouldBe(5, "the queue's ringback reaches the browser, encrypted");

        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        SdpProtocol(invite.BodyText).ShouldBe("RTP/AVP", "the SIP phone is offered plain RTP");
        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(invite, 200, "OK", tag, SipCalls.Sdp(desk.Phone, Desks.Port(agentRtp), "8 101"));
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull();
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        BrowserPhones.Read(ok.BodyText).Fingerprint.ToString().ShouldBe(yunke.Fingerprint.ToString(), "the 200 repeats the early answer");
        call.Ack(ok);
        await desk.EventuallyInAsync("talking");
        browser.Drain();

        // The agent's phone sends PCMA, which the browser takes as well (the answer lists it): passed as it is, encrypted.
        var toAgentSide = Desks.YunkeEndPoint(invite.BodyText);
        for (ushort seq = 0; seq < 10; seq++) await agentRtp.SendAsync(Desks.Rtp(8, seq, 0xD5), toAgentSide);
        var heard = await browser.ReceiveRtpAsync(5, Patience);
        heard.Count.ShouldBe(5);
        heard.Select(packet => $"{packet[1] & 0x7F}:{packet[^1]:X2}").Distinct().ShouldBe(["8:D5"]);

        for (ushort seq = 0; seq < 10; seq++)
            browser.Send(browser.Protect(seq, seq * 160u, Enumerable.Repeat((byte)0xFF, 160).ToArray()));
        var atAgent = await Desks.CollectRtpAsync(agentRtp, 5, Patience);
        atAgent.Count.ShouldBe(5, "the browser is heard at the SIP phone, its PCMU transcoded to the phone's only codec");
        atAgent.Select(packet => packet[1] & 0x7F).ShouldAllBe(payloadType => payloadType == 8);

        // The browser hangs up.
        (await call.ByeAsync(ok)).ShouldNotBeNull();
        var bye = (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull();
        desk.Phone.Reply(bye, 200, "OK", tag);
        (await desk.OnlyCallAsync()).Str("reason").ShouldBe("BYE from the caller");
    }

    [Fact]
    public async Task A_browser_whose_certificate_is_not_the_one_its_sdp_named_is_hung_up()
    {
        await using var desk = await Desks.DeskAsync(app, transport: "WS");
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Desks.Port(callerRtp)));
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var yunke = BrowserPhones.Read(invite.BodyText);
        await using var browser = new WebRtcBrowser(yunke.Candidate, yunke.Ice);
        // The SDP names someone else's certificate: what a man in the middle of the signalling would present.
        var named = DtlsCertificate.Create("someone else").Fingerprint;
        var agentOk = desk.Phone.Reply(invite, 200, "OK", SipEndpoint.NewToken(), BrowserPhones.Sdp(browser, "active", mid: yunke.Mid!, fingerprint: named));
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull();
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        call.Ack(ok);

        (await browser.CheckAsync()).ShouldBeTrue();
        await Should.ThrowAsync<Exception>(() => browser.HandshakeAsync(yunke.Fingerprint));
        (await callerPhone.RequestAsync("BYE", call.CallId, TimeSpan.FromSeconds(30))).ShouldNotBeNull("Yunke ends the call it cannot secure");
        var bye = (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull();
        desk.Phone.Reply(bye, 200, "OK", agentOk.To!.Tag!);
        (await desk.OnlyCallAsync()).Str("reason").ShouldContain("DTLS-SRTP with the agent's phone failed");
    }

    [Fact]
    public async Task An_agent_with_a_sip_phone_and_a_browser_gets_each_its_kind_of_offer_and_the_one_that_answers_wins()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var browserPhone = await SipPhone.OpenWebSocketAsync(app.Server.CreateWebSocketClient(), app.Server.BaseAddress, app.SipPort);
        (await browserPhone.RegisterAsync(desk.PhoneNumber, Softphones.Password)).StatusCode.ShouldBe(200);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Desks.Port(callerRtp)));

        var sipInvite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var browserInvite = (await browserPhone.RequestAsync("INVITE")).ShouldNotBeNull();
        SdpProtocol(sipInvite.BodyText).ShouldBe("RTP/AVP");
        SdpProtocol(browserInvite.BodyText).ShouldBe("UDP/TLS/RTP/SAVPF");
        browserPhone.Reply(browserInvite, 180, "Ringing", SipEndpoint.NewToken());

        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(sipInvite, 200, "OK", tag, SipCalls.Sdp(desk.Phone, Desks.Port(agentRtp)));
        (await desk.Phone.RequestAsync("ACK", sipInvite.CallId)).ShouldNotBeNull();
        (await browserPhone.RequestAsync("CANCEL", browserInvite.CallId)).ShouldNotBeNull("the browser stops ringing");
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        call.Ack(ok);

        await Desks.DrainAsync(callerRtp);
        await agentRtp.SendAsync(Desks.Rtp(0, 1, 0x31), Desks.YunkeEndPoint(sipInvite.BodyText));
        (await Desks.CollectRtpAsync(callerRtp, 1, Patience)).ShouldHaveSingleItem()[^1].ShouldBe((byte)0x31, "the SIP phone's plain RTP reaches the caller");
        (await call.ByeAsync(ok)).ShouldNotBeNull();
        var bye = (await desk.Phone.RequestAsync("BYE", sipInvite.CallId)).ShouldNotBeNull();
        desk.Phone.Reply(bye, 200, "OK", tag);
    }

    private static string SdpProtocol(string sdp) => Yunke.Sip.Sdp.SdpSession.Parse(sdp).Media[0].Protocol;
}
