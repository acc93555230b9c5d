using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Staff;
using Yunke.Server.Tests.Telephony;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;
using System.Net;
using System.Net.Sockets;

namespace Yunke.Server.Tests.Calls;

/// <summary>
/// Calls through Yunke's B2BUA over real UDP on loopback: a caller dials the tenant's number, the ACD picks the
/// signed-in agent, its registered phone rings and answers, and either side hangs up (seed chapter 4, 快速建立第一个通话).
/// </summary>
public abstract class CallControlTests(YunkeApp app)
{
    private static int Port(UdpClient socket) => Desks.Port(socket);
    private static IPEndPoint YunkeEndPoint(string sdp) => Desks.YunkeEndPoint(sdp);
    private static byte[] Rtp(int payloadType, ushort sequence, byte sample) => Desks.Rtp(payloadType, sequence, sample);
    private static Task<byte[]?> ReceiveRtpAsync(UdpClient socket) => Desks.ReceiveRtpAsync(socket);

    private Task<Desk> DeskAsync(int maxQueueLength = 5, int maxWaitSeconds = 60, int wrapUpSeconds = 30, bool autoAnswer = false,
        bool signIn = true, YunkeApp? on = null) =>
        Desks.DeskAsync(on ?? app, maxQueueLength, maxWaitSeconds, wrapUpSeconds, autoAnswer, signIn);

    private static Task<(CallerCall Call, SipResponse Ok, SipRequest AgentInvite, SipResponse AgentOk)> ConnectAsync(Desk desk, SipPhone callerPhone, int port) =>
        Desks.ConnectAsync(desk, callerPhone, port);

    [Fact]
    public async Task A_call_to_the_number_rings_the_agent_who_answers_and_the_caller_hangs_up()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        (await call.ProvisionalAsync(183)).ShouldNotBeNull();

        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        invite.To!.Uri.User.ShouldBe(desk.PhoneNumber);
        invite.From!.Uri.User.ShouldBe("13800138000", "the phone shows the caller's number");
        invite.Headers.Get("Call-Info").ShouldBeNull("auto-answer is off");
        var offer = SdpSession.Parse(invite.BodyText);
        offer.Connection!.Address.ShouldBe("127.0.0.1", "media is anchored on Yunke");
        offer.Media[0].Port.ShouldBeInRange(20000, 20999);
        (await desk.StateAsync()).ShouldBe("ringing");

        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(invite, 180, "Ringing", tag);
        desk.Phone.Reply(invite, 200, "OK", tag, SipCalls.Sdp(desk.Phone, 41000));
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull();
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        var answer = SdpSession.Parse(ok.BodyText);
        answer.Connection!.Address.ShouldBe("127.0.0.1");
        answer.Media[0].Port.ShouldBeInRange(20000, 20999);
        answer.Media[0].Port.ShouldNotBe(offer.Media[0].Port, "each leg has its own RTP session");
        answer.Media[0].Formats[0].ShouldBe("0", "PCMU, as both phones offered it first");
        call.Ack(ok);
        await desk.EventuallyInAsync("talking");
        (await desk.Agent.GetAsync<JsonElement>("/api/v1/agent/state")).Str("callId").ShouldNotBeNull();

        (await call.ByeAsync(ok)).ShouldNotBeNull("Yunke answers the caller's BYE");
        var bye = (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull("the agent's leg is hung up too");
        desk.Phone.Reply(bye, 200, "OK", invite.To.Tag ?? tag);
        await desk.EventuallyInAsync("wrapUp");

        var record = await desk.OnlyCallAsync();
        record.Str("result").ShouldBe("answered");
        record.Str("caller").ShouldBe("13800138000");
        record.Str("callee").ShouldBe(desk.Tenant.Number);
        record.Str("agentId").ShouldBe(desk.AgentId);
        record.Str("skillQueueId").ShouldBe(desk.QueueId);
        record.Str("direction").ShouldBe("inbound");
        record.GetProperty("answeredAt").ValueKind.ShouldBe(JsonValueKind.String);
        record.Str("reason").ShouldBe("BYE from the caller");
    }

    [Fact]
    public async Task Over_tcp_the_phone_rings_on_its_own_connection_and_a_tcp_caller_is_answered_and_hung_up()
    {
        // Softphones often register over TCP (NAT, large messages): Yunke must ring them on the connection they
        // registered over, and a caller over TCP gets its answers and our requests on its connection too.
        await using var desk = await Desks.DeskAsync(app, transport: "TCP");
        await using var callerPhone = await SipPhone.OpenAsync("TCP", app.SipPort, "127.0.0.2");
        var (call, ok, invite, agentOk) = await ConnectAsync(desk, callerPhone, app.SipPort);
        invite.Headers.Get("Via").ShouldNotBeNull().ShouldStartWith("SIP/2.0/TCP", Case.Insensitive);
        ok.Contacts[0].Address!.Uri.ToString().ShouldContain("transport=tcp", Case.Insensitive, "the caller's in-dialog requests come back over TCP");
        await desk.EventuallyInAsync("talking");

        // The agent hangs up: Yunke's BYE reaches the caller on its connection.
        invite.Contacts[0].Address!.Uri.ToString().ShouldContain("transport=tcp", Case.Insensitive);
        desk.Phone.Send(desk.Phone.InDialog("BYE", invite.Contacts[0].Address!.Uri, agentOk.Headers.Get(SipHeaderNames.To)!,
            invite.Headers.Get(SipHeaderNames.From)!, invite.CallId!, 2));
        (await desk.Phone.ResponseAsync(invite.CallId!, "BYE", 200)).ShouldNotBeNull();
        var bye = (await callerPhone.RequestAsync("BYE", call.CallId)).ShouldNotBeNull("the caller gets Yunke's BYE over TCP");
        callerPhone.Reply(bye, 200, "OK", ok.To!.Tag!);
        (await desk.OnlyCallAsync()).Str("reason").ShouldBe("BYE from the agent");
    }

    [Fact]
    public async Task Audio_flows_both_ways_through_yunke_and_the_call_is_recorded()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Port(callerRtp)));
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(invite, 200, "OK", tag, SipCalls.Sdp(desk.Phone, Port(agentRtp), "8 101"));
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        call.Ack(ok);
        var toAgentSide = YunkeEndPoint(invite.BodyText);
        var toCallerSide = YunkeEndPoint(ok.BodyText);
        // Ringback played until the answer: let it drain away.
        await Task.Delay(200);
        while (callerRtp.Available > 0) await callerRtp.ReceiveAsync();

        // 0.4 s each way; the agent's phone only has PCMA, so the caller's PCMU is transcoded on its way.
        for (ushort seq = 0; seq < 20; seq++)
        {
            await callerRtp.SendAsync(Rtp(0, seq, 0x20), toCallerSide);
            await agentRtp.SendAsync(Rtp(8, seq, 0x35), toAgentSide);
            await Task.Delay(20);
        }
        var atAgent = await ReceiveRtpAsync(agentRtp);
        atAgent.ShouldNotBeNull("the caller's audio reaches the agent's phone");
        (atAgent[1] & 0x7f).ShouldBe(8, "in the agent's codec");
        var atCaller = await ReceiveRtpAsync(callerRtp);
        atCaller.ShouldNotBeNull("the agent's audio reaches the caller");
        (atCaller[1] & 0x7f).ShouldBe(8, "PCMA passes as it is: the caller's answer accepted it too");
        atCaller.AsSpan(12).ToArray().Distinct().Count().ShouldBe(1, "the agent's steady sample, not the ringback tone");

        await call.ByeAsync(ok);
        var record = await desk.OnlyCallAsync();
        var recording = await desk.Tenant.Admin.Http.GetAsync(record.Str("recordingUrl"));
        recording.IsSuccessStatusCode.ShouldBeTrue();
        recording.Content.Headers.ContentType?.MediaType.ShouldBe("audio/wav");
        var wav = await recording.Content.ReadAsByteArrayAsync();
        wav.Length.ShouldBeGreaterThan(44 + 5000, "the 0.4 s sent, as 8 kHz 16-bit samples");
        var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(wav.AsSpan(44));
        var loud = 0;
        foreach (var sample in samples) if (Math.Abs((int)sample) > 1000) loud++;
        loud.ShouldBeGreaterThan(2000, "both sides' audio is in the mix, not silence");
    }

    [Fact]
    public async Task The_agent_hangs_up_from_its_phone_and_the_caller_gets_a_bye()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var (call, _, invite, agentOk) = await ConnectAsync(desk, callerPhone, app.SipPort);
        await desk.EventuallyInAsync("talking");

        var yunke = invite.Contacts[0].Address!.Uri;
        var bye = desk.Phone.InDialog("BYE", yunke, agentOk.Headers.Get(SipHeaderNames.To)!, invite.Headers.Get(SipHeaderNames.From)!, invite.CallId!, 2);
        desk.Phone.Send(bye);
        (await desk.Phone.ResponseAsync(invite.CallId!, "BYE", 200)).ShouldNotBeNull();
        var callerBye = (await callerPhone.RequestAsync("BYE", call.CallId)).ShouldNotBeNull("Yunke ends the caller's leg");
        callerPhone.Reply(callerBye, 200, "OK", "ignored");
        await desk.EventuallyInAsync("wrapUp");
        (await desk.OnlyCallAsync()).Str("reason").ShouldBe("BYE from the agent");
    }

    [Fact]
    public async Task The_agent_hangs_up_from_the_workbench_and_both_legs_end()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var (call, _, invite, _) = await ConnectAsync(desk, callerPhone, app.SipPort);
        await desk.EventuallyInAsync("talking");

        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hangup")).Str("state").ShouldBe("wrapUp");
        (await callerPhone.RequestAsync("BYE", call.CallId)).ShouldNotBeNull();
        (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull();
        (await desk.OnlyCallAsync()).Str("result").ShouldBe("answered");
        await (await desk.Agent.SendPostAsync("/api/v1/agent/hangup")).ShouldBeProblemAsync(409, "noCall");
    }

    [Fact]
    public async Task The_caller_cancels_while_the_agent_rings_and_everything_is_cleaned_up()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(invite, 180, "Ringing", tag);
        await desk.EventuallyInAsync("ringing");

        (await call.CancelAsync()).ShouldNotBeNull().StatusCode.ShouldBe(200);
        (await call.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(487);
        var cancel = (await desk.Phone.RequestAsync("CANCEL", invite.CallId)).ShouldNotBeNull("Yunke stops the agent's phone ringing");
        desk.Phone.Reply(cancel, 200, "OK", tag);
        desk.Phone.Reply(invite, 487, "Request Terminated", tag);
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull("the 487 is acknowledged");

        await desk.EventuallyInAsync("idle");
        var record = await desk.OnlyCallAsync();
        record.Str("result").ShouldBe("abandoned");
        record.GetProperty("answeredAt").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task An_unanswered_phone_sends_the_call_back_to_the_queue_and_the_agent_is_set_busy()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        var first = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(first, 180, "Ringing", tag);

        var cancel = (await desk.Phone.RequestAsync("CANCEL", first.CallId, TimeSpan.FromSeconds(YunkeApp.RingTimeoutSeconds + 5)))
            .ShouldNotBeNull("the ring time is over");
        desk.Phone.Reply(cancel, 200, "OK", tag);
        desk.Phone.Reply(first, 487, "Request Terminated", tag);
        await desk.EventuallyInAsync("busy");
        (await call.FinalAsync(TimeSpan.FromMilliseconds(300))).ShouldBeNull("the caller still waits in the queue");

        // The agent is ready again: the waiting call rings it again and is answered.
        await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/ready");
        var second = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        second.CallId.ShouldNotBe(first.CallId);
        var tag2 = SipEndpoint.NewToken();
        desk.Phone.Reply(second, 200, "OK", tag2, SipCalls.Sdp(desk.Phone, 41000));
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        call.Ack(ok);
        await desk.EventuallyInAsync("talking");
    }

    [Fact]
    public async Task Every_registered_phone_rings_the_first_to_answer_wins_and_the_other_is_cancelled()
    {
        await using var desk = await DeskAsync();
        await using var second = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.3");
        (await second.RegisterAsync(desk.PhoneNumber, Softphones.Password)).StatusCode.ShouldBe(200);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));

        var atDesk = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var atSecond = (await second.RequestAsync("INVITE")).ShouldNotBeNull();
        var deskTag = SipEndpoint.NewToken();
        desk.Phone.Reply(atDesk, 180, "Ringing", deskTag);
        second.Reply(atSecond, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(second, 41000));
        (await second.RequestAsync("ACK", atSecond.CallId)).ShouldNotBeNull();

        var cancel = (await desk.Phone.RequestAsync("CANCEL", atDesk.CallId)).ShouldNotBeNull("the phone that lost stops ringing");
        desk.Phone.Reply(cancel, 200, "OK", deskTag);
        desk.Phone.Reply(atDesk, 487, "Request Terminated", deskTag);
        (await call.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(200);
        await desk.EventuallyInAsync("talking");
    }

    [Fact]
    public async Task Answering_from_the_workbench_calls_the_phone_again_to_pick_up_at_once()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        var ringing = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(ringing, 180, "Ringing", tag);
        await desk.EventuallyInAsync("ringing");

        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/answer")).Str("state").ShouldBe("ringing");
        var cancel = (await desk.Phone.RequestAsync("CANCEL", ringing.CallId)).ShouldNotBeNull();
        desk.Phone.Reply(cancel, 200, "OK", tag);
        desk.Phone.Reply(ringing, 487, "Request Terminated", tag);
        var again = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        again.Headers.Get("Call-Info").ShouldNotBeNull().ShouldEndWith(";answer-after=0");
        desk.Phone.Reply(again, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(desk.Phone, 41000));
        (await call.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(200);
        await desk.EventuallyInAsync("talking");
        await (await desk.Agent.SendPostAsync("/api/v1/agent/answer")).ShouldBeProblemAsync(409, "noCallToAnswer");
    }

    [Fact]
    public async Task The_agent_dials_out_its_phone_answers_then_the_customer_through_the_trunk()
    {
        await using var desk = await DeskAsync();
        await using var trunk = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.1", app.TrunkPort);
        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/dial", new { number = "13900001111", mediaType = "audio" })).Str("state").ShouldBe("ringing");

        var atPhone = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull("the agent's phone rings first");
        atPhone.Headers.Get("Call-Info").ShouldNotBeNull().ShouldEndWith(";answer-after=0");
        desk.Phone.Reply(atPhone, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(desk.Phone, 41000));
        (await desk.Phone.RequestAsync("ACK", atPhone.CallId)).ShouldNotBeNull();

        var atTrunk = (await trunk.RequestAsync("INVITE")).ShouldNotBeNull("then the customer, through the trunk");
        atTrunk.Uri.User.ShouldBe("13900001111");
        atTrunk.From!.Uri.User.ShouldBe(desk.Tenant.Number, "the caller ID is the instance's number");
        var trunkTag = SipEndpoint.NewToken();
        trunk.Reply(atTrunk, 180, "Ringing", trunkTag);
        var trunkOk = trunk.Reply(atTrunk, 200, "OK", trunkTag, SipCalls.Sdp(trunk, 42000));
        (await trunk.RequestAsync("ACK", atTrunk.CallId)).ShouldNotBeNull();
        await desk.EventuallyInAsync("talking");

        // The customer hangs up: the agent's leg ends too.
        trunk.Send(trunk.InDialog("BYE", atTrunk.Contacts[0].Address!.Uri, trunkOk.Headers.Get(SipHeaderNames.To)!,
            atTrunk.Headers.Get(SipHeaderNames.From)!, atTrunk.CallId!, 2));
        (await trunk.ResponseAsync(atTrunk.CallId!, "BYE", 200)).ShouldNotBeNull();
        (await desk.Phone.RequestAsync("BYE", atPhone.CallId)).ShouldNotBeNull();
        await desk.EventuallyInAsync("idle");
        var record = await desk.OnlyCallAsync();
        record.Str("direction").ShouldBe("outbound");
        record.Str("callee").ShouldBe("13900001111");
        record.Str("caller").ShouldBe(desk.Tenant.Number);
        record.Str("result").ShouldBe("answered");
    }

    [Fact]
    public async Task Dialling_is_refused_for_a_bad_number_and_while_in_a_call()
    {
        await using var desk = await DeskAsync(signIn: false);
        await (await desk.Agent.SendPostAsync("/api/v1/agent/dial", new { number = "12ab", mediaType = "audio" })).ErrorsOf(400, "validation", "number");
        await (await desk.Agent.SendPostAsync("/api/v1/agent/dial", new { number = "13900001111" })).ShouldBeProblemAsync(409, "illegalAgentTransition");
    }

    [Fact]
    public async Task Stopping_the_server_ends_calls_in_progress_with_a_bye_and_a_record()
    {
        var server = new SqliteApp { KeepData = true };
        var desk = await DeskAsync(on: server);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", server.SipPort, "127.0.0.2");
        var (call, _, invite, _) = await ConnectAsync(desk, callerPhone, server.SipPort);
        await desk.EventuallyInAsync("talking");

        await server.DisposeAsync();
        (await callerPhone.RequestAsync("BYE", call.CallId)).ShouldNotBeNull("the caller's leg is hung up");
        (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull("the agent's leg too");
        await desk.DisposeAsync();

        await using var restarted = new SqliteApp { DataDir = server.DataDir };
        var admin = await restarted.LoginAsync(desk.Tenant.Admin.Account, desk.Tenant.Admin.Password);
        var calls = await admin.GetAsync<JsonElement>("/api/v1/calls");
        calls.GetProperty("total").GetInt32().ShouldBe(1, "the record was written before the host went down");
        calls.GetProperty("items")[0].Str("result").ShouldBe("answered");
        calls.GetProperty("items")[0].Str("reason").ShouldBe("the server shut down");
    }

    [Fact]
    public async Task Auto_answer_asks_the_phone_to_answer_after_the_delay()
    {
        await using var desk = await DeskAsync(autoAnswer: true);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        invite.Headers.Get("Call-Info").ShouldNotBeNull().ShouldEndWith(";answer-after=2");
        invite.Headers.Get("Alert-Info").ShouldBe("info=alert-autoanswer");
    }

    [Fact]
    public async Task Changes_to_the_agent_and_the_route_reach_the_very_next_call()
    {
        // Calls look routes and ring settings up from a cache: a change in the console must still count at once.
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        await RingAndCancelAsync(invite => invite.Headers.Get("Call-Info").ShouldBeNull("auto-answer is off"));

        await desk.Tenant.Admin.PutAsync<JsonElement>($"/api/v1/agents/{desk.AgentId}", new
        {
            employeeAccount = desk.Agent.Account, skillQueueIds = new[] { desk.QueueId }, autoAnswer = true, autoAnswerDelaySeconds = 5,
        });
        await desk.EventuallyInAsync("idle");
        await RingAndCancelAsync(invite => invite.Headers.Get("Call-Info").ShouldNotBeNull().ShouldEndWith(";answer-after=5"));

        var routes = await desk.Tenant.Admin.GetAsync<JsonElement>("/api/v1/called-routes");
        await desk.Tenant.Admin.Http.DeleteAsync($"/api/v1/called-routes/{routes.GetProperty("items")[0].Str("id")}");
        var unrouted = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        (await unrouted.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(404, "the route is gone");

        async Task RingAndCancelAsync(Action<SipRequest> check)
        {
            var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
            var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
            check(invite);
            var tag = SipEndpoint.NewToken();
            desk.Phone.Reply(invite, 180, "Ringing", tag);
            await desk.EventuallyInAsync("ringing");
            (await call.CancelAsync()).ShouldNotBeNull().StatusCode.ShouldBe(200);
            var cancel = (await desk.Phone.RequestAsync("CANCEL", invite.CallId)).ShouldNotBeNull();
            desk.Phone.Reply(cancel, 200, "OK", tag);
            desk.Phone.Reply(invite, 487, "Request Terminated", tag);
            await desk.EventuallyInAsync("idle");
        }
    }

    [Fact]
    public async Task A_full_queue_refuses_the_next_caller_with_486()
    {
        await using var desk = await DeskAsync(maxQueueLength: 1, signIn: false);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var waiting = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        (await waiting.ProvisionalAsync(183)).ShouldNotBeNull();

        var refused = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40002));
        var busy = (await refused.FinalAsync()).ShouldNotBeNull();
        busy.StatusCode.ShouldBe(486);
        busy.Headers.Get("Reason").ShouldNotBeNull().ShouldContain("Queue Full");

        (await waiting.CancelAsync()).ShouldNotBeNull();
        (await waiting.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(487);
        JsonElement calls = default;
        await Softphones.EventuallyAsync(async () =>
            (calls = await desk.Tenant.Admin.GetAsync<JsonElement>("/api/v1/calls")).GetProperty("total").GetInt32() == 2, "two records");
        calls.GetProperty("items").EnumerateArray().Select(c => c.Str("result")).Order().ShouldBe(["abandoned", "queueFull"]);
    }

    [Fact]
    public async Task Without_a_free_agent_the_call_ends_480_after_the_maximum_wait()
    {
        await using var desk = await DeskAsync(maxWaitSeconds: 1, signIn: false);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Port(callerRtp)));
        var progress = (await call.ProvisionalAsync(183)).ShouldNotBeNull();
        SdpSession.Parse(progress.BodyText).Media[0].Port.ShouldBeInRange(20000, 20999);
        var ringback = (await ReceiveRtpAsync(callerRtp)).ShouldNotBeNull("the waiting caller hears ringback from Yunke");
        (ringback[1] & 0x7f).ShouldBe(0);
        var final = (await call.FinalAsync()).ShouldNotBeNull();
        final.StatusCode.ShouldBe(480);
        final.Headers.Get("Reason").ShouldNotBeNull().ShouldContain("No Agent Available");
        var record = await desk.OnlyCallAsync();
        record.Str("result").ShouldBe("queueTimeout");
        record.GetProperty("waitSeconds").GetInt32().ShouldBeInRange(1, 3);
    }

    [Fact]
    public async Task A_direct_call_to_a_softphone_is_refused_and_unknown_numbers_are_not_found()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var direct = CallerCall.Dial(callerPhone, app.SipPort, desk.PhoneNumber, SipCalls.Sdp(callerPhone, 40000));
        (await direct.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(403);
        (await desk.Phone.RequestAsync("INVITE", within: TimeSpan.FromMilliseconds(300))).ShouldBeNull("the phone never rings");
        (await desk.OnlyCallAsync()).Str("result").ShouldBe("rejected");

        var unknown = CallerCall.Dial(callerPhone, app.SipPort, "99999999999", SipCalls.Sdp(callerPhone, 40000));
        (await unknown.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(404);
        (await desk.StateAsync()).ShouldBe("idle");
    }

    [Fact]
    public async Task A_late_offer_gets_our_offer_in_the_200_and_the_answer_in_the_ack_starts_the_audio()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, sdp: null);
        var ringing = (await call.ProvisionalAsync(180)).ShouldNotBeNull("no early media without an offer: the caller's phone rings by itself");
        ringing.Body.IsEmpty.ShouldBeTrue();
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull("the agent's phone rings as for any call");
        desk.Phone.Reply(invite, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(desk.Phone, Port(agentRtp), "8 101"));
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        SdpSession.Parse(ok.BodyText).Media[0].Formats.ShouldBe(["0", "8", "101"], "Yunke's offer: PCMU, PCMA, telephone events");

        var ack = call.InDialog("ACK", ok, 1);
        ack.SetBody("application/sdp", SipCalls.Sdp(callerPhone, Port(callerRtp), "0 101"));
        callerPhone.Send(ack);
        await desk.EventuallyInAsync("talking");
        var (toCallerSide, toAgentSide) = (YunkeEndPoint(ok.BodyText), YunkeEndPoint(invite.BodyText));
        for (ushort seq = 0; seq < 10; seq++)
        {
            await callerRtp.SendAsync(Rtp(0, seq, 0x20), toCallerSide);
            await agentRtp.SendAsync(Rtp(8, seq, 0x35), toAgentSide);
            await Task.Delay(20);
        }
        var atAgent = (await ReceiveRtpAsync(agentRtp)).ShouldNotBeNull("the caller is heard, at the address of the ACK's answer");
        (atAgent[1] & 0x7f).ShouldBe(8);
        var atCaller = (await ReceiveRtpAsync(callerRtp)).ShouldNotBeNull("the agent is heard");
        (atCaller[1] & 0x7f).ShouldBe(0, "in the codec the caller's answer chose");

        (await call.ByeAsync(ok)).ShouldNotBeNull();
        (await desk.OnlyCallAsync()).Str("result").ShouldBe("answered");
    }

    [Fact]
    public async Task A_late_offer_whose_ack_brings_no_answer_ends_both_legs()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, sdp: null);
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        desk.Phone.Reply(invite, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(desk.Phone, 41000));
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        call.Ack(ok);

        (await callerPhone.RequestAsync("BYE", call.CallId)).ShouldNotBeNull("no session without an answer (RFC 3261 13.2.1)");
        (await desk.Phone.RequestAsync("BYE", invite.CallId)).ShouldNotBeNull();
        var record = await desk.OnlyCallAsync();
        record.Str("result").ShouldBe("failed");
        record.Str("reason").ShouldBe("no usable SDP answer in the caller's ACK");
        await desk.EventuallyInAsync("wrapUp");
    }

    [Fact]
    public async Task A_phone_that_wants_a_longer_session_interval_is_asked_again_with_it()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000));
        var first = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        first.Headers.Get("Session-Expires").ShouldBe("1800");
        var tooSmall = SipResponse.CreateFor(first, 422, "Session Interval Too Small", SipEndpoint.NewToken());
        tooSmall.Headers.Add("Min-SE", "3600");
        desk.Phone.Send(tooSmall);
        (await desk.Phone.RequestAsync("ACK", first.CallId)).ShouldNotBeNull("the 422 is acknowledged");

        // RFC 4028 7.4: the same call again, as a new transaction, with the interval the phone asked for.
        var second = (await desk.Phone.RequestAsync("INVITE", first.CallId)).ShouldNotBeNull("asked again");
        second.CSeq!.Value.Number.ShouldBe(2u);
        second.Headers.Get("Session-Expires").ShouldBe("3600");
        second.Headers.Get("Via").ShouldNotBe(first.Headers.Get("Via"));
        desk.Phone.Reply(second, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(desk.Phone, 41000));
        var ack = (await desk.Phone.RequestAsync("ACK", first.CallId)).ShouldNotBeNull();
        ack.CSeq!.Value.Number.ShouldBe(2u);
        (await call.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(200);
        await desk.EventuallyInAsync("talking");
    }

    [Fact]
    public async Task An_offer_without_a_codec_in_common_is_refused_with_488()
    {
        await using var desk = await DeskAsync();
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000, "18"));
        (await call.FinalAsync()).ShouldNotBeNull().StatusCode.ShouldBe(488);
        (await desk.StateAsync()).ShouldBe("idle");
    }
}

public sealed class CallControlTestsOnSqlite(SqliteApp app) : CallControlTests(app), IClassFixture<SqliteApp>;

public sealed class CallControlTestsOnPostgres(PostgresApp app) : CallControlTests(app), IClassFixture<PostgresApp>;
