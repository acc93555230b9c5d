using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Telephony;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Tests.Calls;

/// <summary>A server whose call timers are short enough for a test to wait for: 2 s of silence kills a call, Min-SE is 2 s.</summary>
public sealed class ShortCallTimersApp : SqliteApp
{
    public ShortCallTimersApp() => Settings = new()
    {
        ["Yunke:Calls:MediaTimeoutSeconds"] = "2",
        ["Yunke:Calls:MinSessionExpiresSeconds"] = "2",
    };
}

/// <summary>
/// Dead calls are found and ended with a BYE to both phones and the reason on the record: no RTP from a leg that
/// should send, or a session timer (RFC 4028) the peer let run out; and Yunke refreshes the sessions it must.
/// Timers run on the real clock, set short (the database does not matter here: SQLite only).
/// </summary>
public sealed class DeadCallTests(ShortCallTimersApp app) : IClassFixture<ShortCallTimersApp>
{
    /// <summary>Both phones send RTP every 20 ms until disposed, so the media timeout does not end the call meanwhile.</summary>
    private sealed class Chatter : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        public Chatter(UdpClient caller, IPEndPoint toCaller, UdpClient agent, IPEndPoint toAgent) => loop = Task.Run(async () =>
        {
            for (ushort seq = 0; !stop.IsCancellationRequested; seq++)
            {
                await caller.SendAsync(Desks.Rtp(0, seq, 0x20), toCaller);
                await agent.SendAsync(Desks.Rtp(0, seq, 0x35), toAgent);
                try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
            }
        });

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
        }
    }

    private static string Sdp(SipPhone phone, int port, string direction = "sendrecv") =>
        SipCalls.Sdp(phone, port, "0 101").Replace("a=sendrecv", "a=" + direction);

    private static async Task AnswerReinviteAsync(SipPhone phone, string callId, int rtpPort, string direction)
    {
        var reinvite = (await phone.RequestAsync("INVITE", callId)).ShouldNotBeNull();
        phone.Reply(reinvite, 200, "OK", reinvite.To!.Tag!, Sdp(phone, rtpPort, direction));
        (await phone.RequestAsync("ACK", callId)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_call_without_rtp_is_ended_after_the_media_timeout_but_not_while_on_hold()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (call, ok, invite, _) = await Desks.ConnectAsync(desk, callerPhone, app.SipPort, Desks.Port(callerRtp), Desks.Port(agentRtp));
        await using (new Chatter(callerRtp, Desks.YunkeEndPoint(ok.BodyText), agentRtp, Desks.YunkeEndPoint(invite.BodyText)))
        {
            await desk.EventuallyInAsync("talking");
            await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hold");
            await AnswerReinviteAsync(callerPhone, call.CallId, Desks.Port(callerRtp), "recvonly");
            await AnswerReinviteAsync(desk.Phone, invite.CallId!, Desks.Port(agentRtp), "inactive");
        }

        // Held: neither phone is expected to send.
        (await callerPhone.RequestAsync("BYE", call.CallId, TimeSpan.FromSeconds(3.5))).ShouldBeNull("a held call is not dead");

        await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/unhold");
        await AnswerReinviteAsync(callerPhone, call.CallId, Desks.Port(callerRtp), "sendrecv");
        await AnswerReinviteAsync(desk.Phone, invite.CallId!, Desks.Port(agentRtp), "sendrecv");
        (await callerPhone.RequestAsync("BYE", call.CallId, TimeSpan.FromSeconds(6))).ShouldNotBeNull("silent after the resume: dead");
        (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull("both legs are hung up");
        await desk.EventuallyInAsync("wrapUp");
        var record = await desk.OnlyCallAsync();
        record.Str("result").ShouldBe("answered");
        record.Str("reason").ShouldStartWith("no RTP from the ");
        record.Str("reason").ShouldEndWith(" for 2 s");
    }

    [Fact]
    public async Task A_session_the_caller_does_not_refresh_ends_when_it_expires()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (call, ok, invite, _) = await Desks.ConnectAsync(desk, callerPhone, app.SipPort, Desks.Port(callerRtp), Desks.Port(agentRtp),
            "Supported: timer\r\nSession-Expires: 3;refresher=uac\r\n");
        ok.Headers.Get("Session-Expires").ShouldBe("3;refresher=uac");
        await using (new Chatter(callerRtp, Desks.YunkeEndPoint(ok.BodyText), agentRtp, Desks.YunkeEndPoint(invite.BodyText)))
        {
            // The caller should refresh before 3 s are over; it does not, and Yunke ends the call before they are (RFC 4028 10).
            (await callerPhone.RequestAsync("BYE", call.CallId, TimeSpan.FromSeconds(6))).ShouldNotBeNull("the session expired");
            (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull();
        }
        (await desk.OnlyCallAsync()).Str("reason").ShouldBe("session timer expired: no refresh from the customer within 3 s");
    }

    [Fact]
    public async Task Yunke_refreshes_the_sessions_it_is_the_refresher_of_and_a_refresh_keeps_the_call()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        // The caller (no UPDATE in its Allow) leaves refreshing to Yunke; the agent's phone grants 4 s, Yunke refreshing, and takes UPDATE.
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Desks.Port(callerRtp)),
            extraHeaders: "Session-Expires: 4;refresher=uas\r\n");
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var agentOk = SipResponse.CreateFor(invite, 200, "OK", SipEndpoint.NewToken());
        agentOk.Headers.Add(SipHeaderNames.Contact, desk.Phone.Contact("phone"));
        agentOk.Headers.Add("Allow", "INVITE, ACK, BYE, CANCEL, UPDATE");
        agentOk.Headers.Add("Supported", "timer");
        agentOk.Headers.Add("Require", "timer");
        agentOk.Headers.Add("Session-Expires", "4;refresher=uac");
        agentOk.SetBody("application/sdp", SipCalls.Sdp(desk.Phone, Desks.Port(agentRtp)));
        desk.Phone.Send(agentOk);
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull();
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        ok.Headers.Get("Session-Expires").ShouldBe("4;refresher=uas");
        call.Ack(ok);

        await using (new Chatter(callerRtp, Desks.YunkeEndPoint(ok.BodyText), agentRtp, Desks.YunkeEndPoint(invite.BodyText)))
        {
            // At half the interval: a re-INVITE with the same SDP to the caller, an UPDATE to the agent's phone.
            var refresh = (await callerPhone.RequestAsync("INVITE", call.CallId, TimeSpan.FromSeconds(5))).ShouldNotBeNull("Yunke refreshes the caller's session");
            SdpSession.Parse(refresh.BodyText).Origin.ShouldBe(SdpSession.Parse(ok.BodyText).Origin, "the session did not change");
            refresh.Headers.Get("Session-Expires").ShouldBe("4;refresher=uac");
            callerPhone.Reply(refresh, 200, "OK", refresh.To!.Tag!, SipCalls.Sdp(callerPhone, Desks.Port(callerRtp)));
            (await callerPhone.RequestAsync("ACK", call.CallId)).ShouldNotBeNull();

            var update = (await desk.Phone.RequestAsync("UPDATE", invite.CallId, TimeSpan.FromSeconds(5))).ShouldNotBeNull("and the agent's by UPDATE");
            update.Body.IsEmpty.ShouldBeTrue();
            update.Headers.Get("Session-Expires").ShouldBe("4;refresher=uac");
            var updated = SipResponse.CreateFor(update, 200, "OK");
            updated.Headers.Add("Session-Expires", "4;refresher=uac");
            desk.Phone.Send(updated);

            // Refreshed, the call goes on past the first expiry.
            await Task.Delay(TimeSpan.FromSeconds(2));
            (await desk.StateAsync()).ShouldBe("talking");
        }
        await call.ByeAsync(ok);
        (await desk.OnlyCallAsync()).Str("reason").ShouldBe("BYE from the caller");
    }
}
