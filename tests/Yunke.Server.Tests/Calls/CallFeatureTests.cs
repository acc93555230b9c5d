using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Yunke.Media.Audio;
using Yunke.Media.Codecs;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Telephony;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Tests.Calls;

/// <summary>
/// Call control in a talking call (issue 5): hold and resume from the workbench and from either phone, mute,
/// session refreshes and their limits, the ACK of a repeated 2xx, and the queue prompt a waiting caller hears.
/// Audio is checked from the RTP that really arrives at each phone's socket.
/// </summary>
public abstract class CallFeatureTests(YunkeApp app)
{
    private const byte AgentSample = 0x35, CallerSample = 0x20;
    // What the agent says after a change, told apart from stragglers of before it that a crowded machine delays.
    private const byte AgentLaterSample = 0x4A, CallerLaterSample = 0x5B;

    /// <summary>A connected call with an RTP socket at each phone (the caller on 127.0.0.2, the agent's phone on 127.0.0.1).</summary>
    private sealed class Talk : IAsyncDisposable
    {
        public required Desk Desk { get; init; }
        public required SipPhone CallerPhone { get; init; }
        public required UdpClient CallerRtp { get; init; }
        public required UdpClient AgentRtp { get; init; }
        public required CallerCall Call { get; init; }
        public required SipResponse Ok { get; init; }
        public required SipRequest AgentInvite { get; init; }
        public required SipResponse AgentOk { get; init; }
        /// <summary>Where Yunke receives each phone's RTP.</summary>
        public IPEndPoint ToCallerSide => Desks.YunkeEndPoint(Ok.BodyText);
        public IPEndPoint ToAgentSide => Desks.YunkeEndPoint(AgentInvite.BodyText);

        public async Task<JsonElement> StateAsync() => await Desk.Agent.GetAsync<JsonElement>("/api/v1/agent/state");

        /// <summary>Both phones talk for the time given; returns what each received: (at the caller, at the agent).</summary>
        public async Task<(List<byte[]> AtCaller, List<byte[]> AtAgent)> TalkAsync(int packets = 25, bool callerTalks = true, bool agentTalks = true,
            byte agentSample = AgentSample, byte callerSample = CallerSample)
        {
            await Desks.DrainAsync(CallerRtp);
            await Desks.DrainAsync(AgentRtp);
            using var sent = new CancellationTokenSource();
            var atCaller = Desks.CollectRtpAsync(CallerRtp, sent.Token);
            var atAgent = Desks.CollectRtpAsync(AgentRtp, sent.Token);
            for (ushort seq = 0; seq < packets; seq++)
            {
                if (callerTalks) await CallerRtp.SendAsync(Desks.Rtp(0, (ushort)(seq + sequence), callerSample), ToCallerSide);
                if (agentTalks) await AgentRtp.SendAsync(Desks.Rtp(0, (ushort)(seq + sequence), agentSample), ToAgentSide);
                await Task.Delay(20);
            }
            sequence += (ushort)packets;
            // What is still on its way through Yunke (a crowded machine delays it), then no more.
            sent.CancelAfter(TimeSpan.FromMilliseconds(500));
            return (await atCaller, await atAgent);
        }

        private ushort sequence;

        /// <summary>A re-INVITE from the caller's phone in its dialog, with an SDP body when given.</summary>
        public SipRequest CallerRequest(string method, uint cseq, string? sdp = null)
        {
            var request = Call.InDialog(method, Ok, cseq);
            if (sdp is not null) request.SetBody("application/sdp", sdp);
            return request;
        }

        /// <summary>A request from the agent's phone in its dialog with Yunke.</summary>
        public SipRequest AgentRequest(string method, uint cseq, string? sdp = null)
        {
            var request = Desk.Phone.InDialog(method, AgentInvite.Contacts[0].Address!.Uri, AgentOk.Headers.Get(SipHeaderNames.To)!,
                AgentInvite.Headers.Get(SipHeaderNames.From)!, AgentInvite.CallId!, cseq);
            if (sdp is not null) request.SetBody("application/sdp", sdp);
            return request;
        }

        public async ValueTask DisposeAsync()
        {
            CallerRtp.Dispose();
            AgentRtp.Dispose();
            await CallerPhone.DisposeAsync();
            await Desk.DisposeAsync();
        }
    }

    private async Task<Talk> TalkAsync(string callerHeaders = "")
    {
        var desk = await Desks.DeskAsync(app);
        var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (call, ok, invite, agentOk) = await Desks.ConnectAsync(desk, callerPhone, app.SipPort, Desks.Port(callerRtp), Desks.Port(agentRtp), callerHeaders);
        await desk.EventuallyInAsync("talking");
        return new Talk
        {
            Desk = desk, CallerPhone = callerPhone, CallerRtp = callerRtp, AgentRtp = agentRtp,
            Call = call, Ok = ok, AgentInvite = invite, AgentOk = agentOk,
        };
    }

    private static string Sdp(SipPhone phone, int port, string direction = "sendrecv", string? address = null)
    {
        var sdp = SipCalls.Sdp(phone, port, "0 101").Replace("a=sendrecv", "a=" + direction);
        return address is null ? sdp : sdp.Replace($"c=IN IP4 {phone.Local.Address}", $"c=IN IP4 {address}");
    }

    private static SdpDirection? DirectionOf(SipMessage message)
    {
        var sdp = SdpSession.Parse(message.BodyText);
        return sdp.DirectionOf(sdp.Media[0]);
    }

    /// <summary>The phone gets Yunke's re-INVITE, answers it with its SDP in that direction and gets the ACK.</summary>
    private static async Task<SipRequest> AnswerReinviteAsync(SipPhone phone, string callId, int rtpPort, string direction)
    {
        var reinvite = (await phone.RequestAsync("INVITE", callId)).ShouldNotBeNull($"a re-INVITE to {callId}");
        reinvite.To!.Tag.ShouldNotBeNull("inside the dialog");
        phone.Reply(reinvite, 200, "OK", reinvite.To!.Tag!, Sdp(phone, rtpPort, direction));
        var ack = (await phone.RequestAsync("ACK", callId)).ShouldNotBeNull("Yunke acknowledges the 200 to its re-INVITE");
        ack.CSeq!.Value.Number.ShouldBe(reinvite.CSeq!.Value.Number);
        return reinvite;
    }

    private static int Carrying(List<byte[]> packets, byte sample) => packets.Count(p => p.Length > 12 && p.AsSpan(12).IndexOfAnyExcept(sample) < 0);

    private static int Loud(List<byte[]> packets) =>
        packets.Count(p => p.Length > 12 && p.AsSpan(12).ToArray().Any(b => Math.Abs((int)G711.DecodeMuLaw(b)) > 1000));

    [Fact]
    public async Task Hold_from_the_workbench_plays_music_to_the_customer_and_unhold_restores_the_audio()
    {
        await using var talk = await TalkAsync();
        var (before, _) = await talk.TalkAsync();
        Carrying(before, AgentSample).ShouldBeGreaterThan(10, "the agent is heard before the hold");

        var held = await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hold");
        held.Str("state").ShouldBe("talking", "the agent stays talking while the customer is held");
        held.GetProperty("held").GetBoolean().ShouldBeTrue();
        var toCustomer = await AnswerReinviteAsync(talk.CallerPhone, talk.Call.CallId, Desks.Port(talk.CallerRtp), "recvonly");
        DirectionOf(toCustomer).ShouldBe(SdpDirection.SendOnly, "Yunke sends (music), the customer only listens");
        var toAgent = await AnswerReinviteAsync(talk.Desk.Phone, talk.AgentInvite.CallId!, Desks.Port(talk.AgentRtp), "inactive");
        DirectionOf(toAgent).ShouldBe(SdpDirection.Inactive);
        (await talk.StateAsync()).GetProperty("held").GetBoolean().ShouldBeTrue();
        await (await talk.Desk.Agent.SendPostAsync("/api/v1/agent/hold")).ShouldBeProblemAsync(409, "alreadyHeld");

        var (onHold, agentHeard) = await talk.TalkAsync(callerTalks: false, agentSample: AgentLaterSample);
        Carrying(onHold, AgentLaterSample).ShouldBe(0, "no audio of the agent reaches the held customer");
        Loud(onHold).ShouldBeGreaterThan(5, "the customer hears hold music");
        agentHeard.Count.ShouldBe(0);

        var resumed = await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/unhold");
        resumed.GetProperty("held").GetBoolean().ShouldBeFalse();
        DirectionOf(await AnswerReinviteAsync(talk.CallerPhone, talk.Call.CallId, Desks.Port(talk.CallerRtp), "sendrecv")).ShouldBe(SdpDirection.SendRecv);
        DirectionOf(await AnswerReinviteAsync(talk.Desk.Phone, talk.AgentInvite.CallId!, Desks.Port(talk.AgentRtp), "sendrecv")).ShouldBe(SdpDirection.SendRecv);
        await Softphones.EventuallyAsync(async () => !(await talk.StateAsync()).GetProperty("held").GetBoolean(), "resumed");
        var (after, atAgent) = await talk.TalkAsync();
        Carrying(after, AgentSample).ShouldBeGreaterThan(10, "the agent is heard again");
        Carrying(atAgent, CallerSample).ShouldBeGreaterThan(10, "and hears the customer again");
        await (await talk.Desk.Agent.SendPostAsync("/api/v1/agent/unhold")).ShouldBeProblemAsync(409, "notHeld");
    }

    [Fact]
    public async Task The_agents_event_stream_names_the_caller_and_pushes_each_hold_and_mute()
    {
        await using var talk = await TalkAsync();
        using var events = await app.Server.CreateWebSocketClient().ConnectAsync(
            new Uri(app.Server.BaseAddress, $"api/v1/agent/events?access_token={talk.Desk.Agent.Token}"), CancellationToken.None);

        var first = (await events.ReceiveJsonAsync()).GetProperty("state");
        first.Str("state").ShouldBe("talking");
        var call = first.GetProperty("call");
        call.Str("customer").ShouldBe("13800138000");
        call.Str("direction").ShouldBe("inbound");
        call.GetProperty("held").GetBoolean().ShouldBeFalse();

        await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hold");
        var held = (await events.ReceiveJsonAsync(m => m.Str("type") == "call")).GetProperty("call");
        held.GetProperty("held").GetBoolean().ShouldBeTrue();
        held.Str("id").ShouldBe(call.Str("id"));
        await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/mute");
        var muted = (await events.ReceiveJsonAsync(m => m.Str("type") == "call")).GetProperty("call");
        muted.GetProperty("muted").GetBoolean().ShouldBeTrue();
        muted.GetProperty("held").GetBoolean().ShouldBeTrue();
        await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/unhold");
        (await events.ReceiveJsonAsync(m => m.Str("type") == "call")).GetProperty("call").GetProperty("held").GetBoolean().ShouldBeFalse();

        // The state answers the same.
        var state = await talk.StateAsync();
        state.GetProperty("call").GetProperty("muted").GetBoolean().ShouldBeTrue();
        state.GetProperty("call").Str("customer").ShouldBe("13800138000");
    }

    [Fact]
    public async Task Hanging_up_a_held_call_from_the_workbench_ends_both_legs()
    {
        await using var talk = await TalkAsync();
        await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hold");
        await AnswerReinviteAsync(talk.CallerPhone, talk.Call.CallId, Desks.Port(talk.CallerRtp), "recvonly");
        await AnswerReinviteAsync(talk.Desk.Phone, talk.AgentInvite.CallId!, Desks.Port(talk.AgentRtp), "inactive");

        (await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hangup")).Str("state").ShouldBe("wrapUp");
        (await talk.CallerPhone.RequestAsync("BYE", talk.Call.CallId)).ShouldNotBeNull();
        (await talk.Desk.Phone.RequestAsync("BYE", talk.AgentInvite.CallId)).ShouldNotBeNull();
        (await talk.Desk.OnlyCallAsync()).Str("reason").ShouldBe("hung up from the workbench");
        await (await talk.Desk.Agent.SendPostAsync("/api/v1/agent/hold")).ShouldBeProblemAsync(409, "noCallInProgress");
    }

    [Fact]
    public async Task A_phone_that_holds_is_answered_with_the_mirrored_direction_and_the_relay_follows()
    {
        await using var talk = await TalkAsync();
        var agentPort = Desks.Port(talk.AgentRtp);

        // The agent presses hold on the softphone: a=sendonly.
        talk.Desk.Phone.Send(talk.AgentRequest("INVITE", 2, Sdp(talk.Desk.Phone, agentPort, "sendonly")));
        var ok = (await talk.Desk.Phone.ResponseAsync(talk.AgentInvite.CallId!, 2u)).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200, ok.ToString());
        DirectionOf(ok).ShouldBe(SdpDirection.RecvOnly);
        talk.Desk.Phone.Send(talk.AgentRequest("ACK", 2));
        (await talk.StateAsync()).GetProperty("held").GetBoolean().ShouldBeTrue();
        (await talk.CallerPhone.RequestAsync("INVITE", talk.Call.CallId, TimeSpan.FromMilliseconds(300)))
            .ShouldBeNull("the customer's leg keeps its session: Yunke holds it in the media");
        var (atCaller, atAgent) = await talk.TalkAsync(agentSample: AgentLaterSample, callerSample: CallerLaterSample);
        Carrying(atAgent, CallerLaterSample).ShouldBe(0, "the holding phone is sent nothing");
        Carrying(atCaller, AgentLaterSample).ShouldBe(0);
        Loud(atCaller).ShouldBeGreaterThan(5, "the customer hears Yunke's hold music");
        (await talk.Desk.Phone.ResponseAsync(talk.AgentInvite.CallId!, 2u, TimeSpan.FromSeconds(1))).ShouldBeNull("the ACK stopped the 200's repeats");

        // Resume on the phone.
        talk.Desk.Phone.Send(talk.AgentRequest("INVITE", 3, Sdp(talk.Desk.Phone, agentPort)));
        var resumed = (await talk.Desk.Phone.ResponseAsync(talk.AgentInvite.CallId!, 3u)).ShouldNotBeNull();
        DirectionOf(resumed).ShouldBe(SdpDirection.SendRecv);
        talk.Desk.Phone.Send(talk.AgentRequest("ACK", 3));
        (await talk.StateAsync()).GetProperty("held").GetBoolean().ShouldBeFalse();
        (atCaller, atAgent) = await talk.TalkAsync();
        Carrying(atAgent, CallerSample).ShouldBeGreaterThan(10);
        Carrying(atCaller, AgentSample).ShouldBeGreaterThan(10);

        // The customer's phone holds the RFC 2543 way: c=0.0.0.0.
        talk.CallerPhone.Send(talk.CallerRequest("INVITE", 2, Sdp(talk.CallerPhone, Desks.Port(talk.CallerRtp), address: "0.0.0.0")));
        var oldStyle = (await talk.CallerPhone.ResponseAsync(talk.Call.CallId, 2u)).ShouldNotBeNull();
        oldStyle.StatusCode.ShouldBe(200);
        DirectionOf(oldStyle).ShouldBe(SdpDirection.RecvOnly);
        talk.CallerPhone.Send(talk.CallerRequest("ACK", 2));
        (atCaller, _) = await talk.TalkAsync(callerTalks: false, agentSample: AgentLaterSample);
        Carrying(atCaller, AgentLaterSample).ShouldBe(0, "nothing is relayed to a phone that asked for none");
    }

    [Fact]
    public async Task Mute_stops_the_agents_audio_to_the_customer_while_the_agent_still_hears_the_customer()
    {
        await using var talk = await TalkAsync();
        var muted = await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/mute");
        muted.GetProperty("muted").GetBoolean().ShouldBeTrue();
        muted.GetProperty("held").GetBoolean().ShouldBeFalse();
        (await talk.StateAsync()).GetProperty("muted").GetBoolean().ShouldBeTrue();

        var (atCaller, atAgent) = await talk.TalkAsync();
        Carrying(atCaller, AgentSample).ShouldBe(0, "the customer does not hear the muted agent");
        Carrying(atAgent, CallerSample).ShouldBeGreaterThan(10, "the agent still hears the customer");

        (await talk.Desk.Agent.PostAsync<JsonElement>("/api/v1/agent/unmute")).GetProperty("muted").GetBoolean().ShouldBeFalse();
        (atCaller, _) = await talk.TalkAsync();
        Carrying(atCaller, AgentSample).ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task Session_timers_are_negotiated_and_refreshes_by_reinvite_or_update_are_answered()
    {
        await using var talk = await TalkAsync("Supported: timer\r\nSession-Expires: 1200;refresher=uac\r\nMin-SE: 90\r\n");
        talk.Ok.Headers.Get("Session-Expires").ShouldBe("1200;refresher=uac", "the caller's interval and refresher are kept");
        talk.Ok.Headers.GetValues("Require").ShouldContain("timer");
        talk.AgentInvite.Headers.GetValues("Supported").ShouldContain("timer");
        talk.AgentInvite.Headers.Get("Session-Expires").ShouldBe("1800");

        // A refresh by re-INVITE with the same SDP: the same answer, o= version unchanged (RFC 3264 8).
        talk.CallerPhone.Send(talk.CallerRequest("INVITE", 2, SipCalls.Sdp(talk.CallerPhone, Desks.Port(talk.CallerRtp))));
        var refreshed = (await talk.CallerPhone.ResponseAsync(talk.Call.CallId, 2u)).ShouldNotBeNull();
        refreshed.StatusCode.ShouldBe(200, refreshed.ToString());
        SdpSession.Parse(refreshed.BodyText).Origin.ShouldBe(SdpSession.Parse(talk.Ok.BodyText).Origin);
        refreshed.Headers.Get("Session-Expires").ShouldNotBeNull();
        talk.CallerPhone.Send(talk.CallerRequest("ACK", 2));

        // And by UPDATE without a body (RFC 4028 and 3311).
        var update = talk.CallerRequest("UPDATE", 3);
        update.Headers.Add("Supported", "timer");
        update.Headers.Add("Session-Expires", "1200;refresher=uac");
        talk.CallerPhone.Send(update);
        var updated = (await talk.CallerPhone.ResponseAsync(talk.Call.CallId, 3u)).ShouldNotBeNull();
        updated.StatusCode.ShouldBe(200, updated.ToString());
        updated.Headers.Get("Session-Expires").ShouldBe("1200;refresher=uac");

        // A request that goes back in CSeq is refused (RFC 3261 12.2.2).
        talk.CallerPhone.Send(talk.CallerRequest("UPDATE", 3));
        (await talk.CallerPhone.ResponseAsync(talk.Call.CallId, 3u)).ShouldNotBeNull().StatusCode.ShouldBe(500);
        (await talk.StateAsync()).Str("state").ShouldBe("talking");
    }

    [Fact]
    public async Task An_interval_below_min_se_is_refused_with_422()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, 40000),
            extraHeaders: "Supported: timer\r\nSession-Expires: 60\r\n");
        var refused = (await call.FinalAsync()).ShouldNotBeNull();
        refused.StatusCode.ShouldBe(422);
        refused.Headers.Get("Min-SE").ShouldBe("90");
        (await desk.Phone.RequestAsync("INVITE", within: TimeSpan.FromMilliseconds(300))).ShouldBeNull("the call went nowhere");
    }

    [Fact]
    public async Task An_outbound_call_is_held_and_muted_the_same_way()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var trunk = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.1", app.TrunkPort);
        using var customerRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/dial", new { number = "13900001111", mediaType = "audio" });
        var atPhone = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        desk.Phone.Reply(atPhone, 200, "OK", SipEndpoint.NewToken(), SipCalls.Sdp(desk.Phone, 41000));
        (await desk.Phone.RequestAsync("ACK", atPhone.CallId)).ShouldNotBeNull();
        var atTrunk = (await trunk.RequestAsync("INVITE")).ShouldNotBeNull();
        atTrunk.Headers.Get("Session-Expires").ShouldBe("1800", "the trunk is offered session timers too");
        await desk.EventuallyInAsync("talking");
        (await desk.Agent.GetAsync<JsonElement>("/api/v1/agent/state")).GetProperty("call").GetProperty("connected").GetBoolean()
            .ShouldBeFalse("the agent talks while the customer still rings");
        trunk.Reply(atTrunk, 200, "OK", SipEndpoint.NewToken(), Sdp(trunk, Desks.Port(customerRtp)));
        (await trunk.RequestAsync("ACK", atTrunk.CallId)).ShouldNotBeNull();
        await desk.EventuallyConnectedAsync(); // hold needs both sides

        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hold")).GetProperty("held").GetBoolean().ShouldBeTrue();
        var toCustomer = await AnswerReinviteAsync(trunk, atTrunk.CallId!, Desks.Port(customerRtp), "recvonly");
        DirectionOf(toCustomer).ShouldBe(SdpDirection.SendOnly);
        DirectionOf(await AnswerReinviteAsync(desk.Phone, atPhone.CallId!, 41000, "inactive")).ShouldBe(SdpDirection.Inactive);
        var music = await Desks.CollectRtpAsync(customerRtp, count: 50, within: TimeSpan.FromSeconds(10));
        Loud(music).ShouldBeGreaterThan(5, "the customer hears hold music");

        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/mute")).GetProperty("muted").GetBoolean().ShouldBeTrue();
        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hangup")).Str("state").ShouldNotBe("talking");
        (await trunk.RequestAsync("BYE", atTrunk.CallId)).ShouldNotBeNull();
        await desk.EventuallyInAsync("idle");
    }

    /// <summary>Two phones send their own sample to Yunke for half a second; what each received meanwhile.</summary>
    private static async Task<(List<byte[]> AtFirst, List<byte[]> AtSecond)> ExchangeAsync(
        UdpClient first, IPEndPoint fromFirstTo, byte firstSample, UdpClient second, IPEndPoint fromSecondTo, byte secondSample)
    {
        await Desks.DrainAsync(first);
        await Desks.DrainAsync(second);
        using var sent = new CancellationTokenSource();
        var atFirst = Desks.CollectRtpAsync(first, sent.Token);
        var atSecond = Desks.CollectRtpAsync(second, sent.Token);
        for (ushort seq = 0; seq < 25; seq++)
        {
            await first.SendAsync(Desks.Rtp(0, (ushort)(seq + firstSample * 100), firstSample), fromFirstTo);
            await second.SendAsync(Desks.Rtp(0, (ushort)(seq + secondSample * 100), secondSample), fromSecondTo);
            await Task.Delay(20);
        }
        sent.CancelAfter(TimeSpan.FromMilliseconds(500));
        return (await atFirst, await atSecond);
    }

    [Fact]
    public async Task Dialling_out_the_agent_hears_ringback_then_the_carriers_early_media_then_the_customer()
    {
        await using var desk = await Desks.DeskAsync(app);
        await using var trunk = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.1", app.TrunkPort);
        using var agentRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var customerRtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/dial", new { number = "13900001111", mediaType = "audio" });
        var atPhone = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull();
        desk.Phone.Reply(atPhone, 200, "OK", SipEndpoint.NewToken(), Sdp(desk.Phone, Desks.Port(agentRtp)));
        (await desk.Phone.RequestAsync("ACK", atPhone.CallId)).ShouldNotBeNull();
        var atTrunk = (await trunk.RequestAsync("INVITE")).ShouldNotBeNull();
        var (toAgentSide, toCustomerSide) = (Desks.YunkeEndPoint(atPhone.BodyText), Desks.YunkeEndPoint(atTrunk.BodyText));

        var trunkTag = SipEndpoint.NewToken();
        trunk.Reply(atTrunk, 180, "Ringing", trunkTag);
        var ringback = await Desks.CollectRtpAsync(agentRtp, count: 25, within: TimeSpan.FromSeconds(10));
        Loud(ringback).ShouldBeGreaterThan(10, "the agent hears ringback while the customer's phone rings");

        // The carrier's own early media (183 with SDP, e.g. "the number you dialled does not exist") replaces it.
        trunk.Reply(atTrunk, 183, "Session Progress", trunkTag, Sdp(trunk, Desks.Port(customerRtp)));
        var (atCustomer, atAgent) = await ExchangeAsync(customerRtp, toCustomerSide, 0x42, agentRtp, toAgentSide, 0x35);
        Carrying(atAgent, 0x42).ShouldBeGreaterThan(10, "the carrier's early media reaches the agent");
        Carrying(atCustomer, 0x35).ShouldBe(0, "nothing of the agent leaves before the customer answers");

        trunk.Reply(atTrunk, 200, "OK", trunkTag, Sdp(trunk, Desks.Port(customerRtp)));
        (await trunk.RequestAsync("ACK", atTrunk.CallId)).ShouldNotBeNull();
        await desk.EventuallyConnectedAsync();
        (atCustomer, atAgent) = await ExchangeAsync(customerRtp, toCustomerSide, 0x44, agentRtp, toAgentSide, 0x36);
        Carrying(atAgent, 0x44).ShouldBeGreaterThan(10, "the customer is heard");
        Carrying(atCustomer, 0x36).ShouldBeGreaterThan(10, "and the agent, once answered");
        Carrying(atAgent, 0x44).ShouldBe(atAgent.Count, "only the customer: no ringback left under the conversation");

        (await desk.Agent.PostAsync<JsonElement>("/api/v1/agent/hangup")).Str("state").ShouldNotBe("talking");
        (await trunk.RequestAsync("BYE", atTrunk.CallId)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_repeated_2xx_from_the_agents_phone_gets_the_ack_again()
    {
        await using var talk = await TalkAsync();
        // The phone did not get our ACK (as far as it knows) and repeats its 200 (RFC 3261 13.3.1.4).
        talk.Desk.Phone.Send(talk.AgentOk);
        var ack = (await talk.Desk.Phone.RequestAsync("ACK", talk.AgentInvite.CallId)).ShouldNotBeNull("the ACK is sent again");
        ack.CSeq!.Value.Number.ShouldBe(1u);
        ack.To!.Tag.ShouldBe(talk.AgentOk.To!.Tag);
        talk.Desk.Phone.Send(talk.AgentOk);
        (await talk.Desk.Phone.RequestAsync("ACK", talk.AgentInvite.CallId)).ShouldNotBeNull("and again");
    }

    [Fact]
    public async Task A_caller_waiting_in_the_queue_hears_the_shipped_prompt()
    {
        await using var desk = await Desks.DeskAsync(app, signIn: false);
        await using var callerPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var callerRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var call = CallerCall.Dial(callerPhone, app.SipPort, desk.Tenant.Number, SipCalls.Sdp(callerPhone, Desks.Port(callerRtp), "0 101"));
        (await call.ProvisionalAsync(183)).ShouldNotBeNull();
        var packets = await Desks.CollectRtpAsync(callerRtp, count: 100, within: TimeSpan.FromSeconds(15));
        packets.Count.ShouldBe(100, "two seconds of prompt");

        // The prompt's frames as the player encodes them: each received payload should be one of them.
        var prompt = WavFile.ReadForTelephony(Path.Combine(AppContext.BaseDirectory, "Prompts", "queue-prompt.wav"));
        var frames = new HashSet<string>();
        for (var at = 0; at + 160 <= prompt.Samples.Length; at += 160)
        {
            var frame = new byte[160];
            G711.EncodeMuLaw(prompt.Samples.AsSpan(at, 160), frame);
            frames.Add(Convert.ToHexString(frame));
        }
        packets.Count(p => frames.Contains(Convert.ToHexString(p, 12, p.Length - 12))).ShouldBeGreaterThan(packets.Count * 3 / 4, "the prompt, not a tone");
        Loud(packets).ShouldBeGreaterThan(10, "speech, not silence");
        await call.CancelAsync();
    }
}

public sealed class CallFeatureTestsOnSqlite(SqliteApp app) : CallFeatureTests(app), IClassFixture<SqliteApp>;

public sealed class CallFeatureTestsOnPostgres(PostgresApp app) : CallFeatureTests(app), IClassFixture<PostgresApp>;
