using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Microsoft.Playwright;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>
/// Calls through the running server with real SIP peers on loopback (issue 5, seed chapter 4 快速建立第一个通话):
/// sipp dials the tenant's number and plays a tone as RTP; the agents' phones are sipp scenarios registered
/// with Yunke's registrar, with an <see cref="RtpPhone"/> for media where the audio is checked. Each test has
/// its own tenant; what is asserted is what the peers saw (SIP statuses in sipp's message logs, RTP that
/// arrived) and what the REST API says afterwards (agent states, call records, the recording).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class CallTests(YunkeServer server, Browser browser, ITestOutputHelper log) : IAsyncLifetime
{
    private const double CallerTone = 1000, AgentTone = 600, NeitherTone = 1400;
    private static readonly Lazy<byte[]> CallerPcap = new(() => Tones.RtpPcap(CallerTone, TimeSpan.FromSeconds(12)));

    private readonly List<IAsyncDisposable> disposables = [];
    private readonly List<CallCenter> centers = [];

    [Fact]
    public async Task An_answered_call_carries_audio_both_ways_and_the_recording_holds_both_voices()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phonePort = await ReadyAsync(center, agent);
        var media = Keep(new RtpPhone(AgentTone, CallerTone));
        var phone = StartPhone("phone-answers.xml", phonePort, rtpPort: media.Port);

        var caller = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number, talk: TimeSpan.FromSeconds(3)));

        caller.ExitCode.ShouldBe(0, caller.ToString());
        caller.Messages.ShouldContain("SIP/2.0 183", Case.Sensitive, "ringback over early media first");
        var answered = await phone.WaitAsync();
        answered.ExitCode.ShouldBe(0, answered.ToString());
        answered.Messages.ShouldContain("BYE sip:", Case.Sensitive, "the caller's BYE reached the agent's phone");
        log.WriteLine(media.ToString());
        // 3 s of talk is 150 packets each way; a busy machine may lose or delay some.
        media.Heard(CallerTone).ShouldBeGreaterThan(50, $"the caller's tone reached the agent's phone: {media}");
        // The caller's sipp echoes what reaches it (-rtp_echo): the agent's own tone coming back has been to the caller and back.
        media.Heard(AgentTone).ShouldBeGreaterThan(25, $"the agent's tone reached the caller: {media}");

        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.Str("direction").ShouldBe("inbound");
        record.Str("caller").ShouldBe("13800138000");
        record.Str("callee").ShouldBe(center.Number);
        record.Str("agentId").ShouldBe(agent.AgentId);
        record.Str("skillQueueId").ShouldBe(center.QueueId);
        record.Str("reason").ShouldBe("BYE from the caller");
        record.GetProperty("talkSeconds").GetInt32().ShouldBeInRange(2, 8);
        record.Str("recordingUrl").ShouldBe($"/api/v1/calls/{record.Str("id")}/recording");

        var (type, wav) = await center.RecordingAsync(record.Str("id"));
        type.ShouldBe("audio/wav");
        var samples = Tones.WavSamples(wav);
        samples.Length.ShouldBeGreaterThan(2 * Tones.SampleRate, "at least 2 of the 3 s talked");
        var caller1000 = Tones.Power(samples, CallerTone);
        var agent600 = Tones.Power(samples, AgentTone);
        var neither = Tones.Power(samples, NeitherTone);
        log.WriteLine($"recording: {samples.Length} samples, power {CallerTone} Hz {caller1000:F0}, {AgentTone} Hz {agent600:F0}, {NeitherTone} Hz {neither:F0}");
        caller1000.ShouldBeGreaterThan(100 * neither, "the caller's tone is in the recording");
        agent600.ShouldBeGreaterThan(100 * neither, "the agent's tone is in the recording");
    }

    [Fact]
    public async Task A_real_softphone_answers_by_itself_and_talks_with_the_caller()
    {
        var center = await OpenAsync(autoAnswer: true, autoAnswerDelaySeconds: 0);
        var agent = center.Agents[0];
        await using var softphone = Baresip.Start(agent.Number, CallCenter.SoftphonePassword, server.SipPort, answerWithTone: (int)AgentTone);
        (await softphone.RegistrationAsync()).ShouldBe("200 OK", softphone.Output);
        await agent.ActAsync("sign-in");

        var caller = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number, talk: TimeSpan.FromSeconds(3)));

        caller.ExitCode.ShouldBe(0, $"{caller}\n--- baresip ---\n{softphone.Output}");
        // baresip says when RTP starts to arrive, and from where: Yunke's side of the agent's leg.
        (await softphone.WaitForLineAsync(l => l.Contains("incoming rtp for 'audio' established"), TimeSpan.FromSeconds(5)))
            .ShouldContain("receiving from 127.0.0.1:");
        log.WriteLine(softphone.Output);
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.Str("agentId").ShouldBe(agent.AgentId);
        var samples = Tones.WavSamples((await center.RecordingAsync(record.Str("id"))).Wav);
        var neither = Tones.Power(samples, NeitherTone);
        Tones.Power(samples, CallerTone).ShouldBeGreaterThan(100 * neither, "the caller's tone is in the recording");
        Tones.Power(samples, AgentTone).ShouldBeGreaterThan(100 * neither, "the softphone's tone is in the recording");
    }

    [Fact]
    public async Task Hold_from_the_workbench_reinvites_both_phones_and_stops_the_audio_until_it_is_resumed()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phonePort = await ReadyAsync(center, agent);
        var media = Keep(new RtpPhone(AgentTone, CallerTone));
        var phone = StartPhone("phone-held.xml", phonePort, rtpPort: media.Port);
        var caller = Keep(Sipp.Start("caller-held.xml", CallerOptions(center.Number, talk: TimeSpan.FromSeconds(2))));
        await TalkingAsync(center, agent, caller, phone);
        await EventuallyAsync(() => media.Heard(CallerTone) > 25, $"the caller's audio reaches the agent before the hold: {media}");

        await agent.ActAsync("hold");
        // Both phones are told: the customer only listens (hold music), the agent's phone is inactive.
        await EventuallyAsync(() => caller.Messages.Contains("a=sendonly") && phone.Messages.Contains("a=inactive"), "both phones got a hold re-INVITE");
        await Task.Delay(300);
        var beforeHold = media.Heard(CallerTone);
        await Task.Delay(1500);
        var whileHeld = media.Heard(CallerTone) - beforeHold;
        whileHeld.ShouldBeLessThanOrEqualTo(3, $"nothing of the caller reaches the agent while held: {media}");

        await agent.ActAsync("unhold");
        await EventuallyAsync(() => media.Heard(CallerTone) > beforeHold + whileHeld + 25, $"the caller is heard again after the resume: {media}");

        var run = await caller.WaitAsync();
        run.ExitCode.ShouldBe(0, "the caller took the hold (sendonly) and resume (sendrecv) re-INVITEs, then hung up:\n" + run);
        var held = await phone.WaitAsync();
        held.ExitCode.ShouldBe(0, "the agent's phone took the hold (inactive) and resume re-INVITEs:\n" + held);
        (await center.CallsAsync()).Single().Str("result").ShouldBe("answered");
    }

    [Fact]
    public async Task The_console_call_bar_shows_the_caller_holds_and_resumes_and_the_call_records_page_plays_the_recording()
    {
        var center = await OpenAsync(wrapUpSeconds: 60);
        var agent = center.Agents[0];
        var phonePort = await ReadyAsync(center, agent);
        await using var context = await browser.Chromium.NewContextAsync(new()
            { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 }, Locale = "zh-CN" });
        context.SetDefaultTimeout(30_000);
        var desk = await context.NewPageAsync();
        await desk.SignInAsync(agent.Account, CallCenter.Agent.Password);
        await desk.GotoAsync("/workbench");
        await desk.HasStatusAsync("workbench-state", "idle");
        await desk.ShowsAsync("workbench-no-call");

        var media = Keep(new RtpPhone(AgentTone, CallerTone));
        var phone = StartPhone("phone-held.xml", phonePort, rtpPort: media.Port);
        var caller = Keep(Sipp.Start("caller-held.xml", CallerOptions(center.Number, talk: TimeSpan.FromSeconds(2))));

        // The bar follows the call: the agent talks with the caller, whose number it shows.
        await desk.HasStatusAsync("workbench-state", "talking");
        await Assertions.Expect(desk.GetByTestId("workbench-call-customer")).ToHaveTextAsync("13800138000");
        await desk.HasStatusAsync("workbench-call-direction", "inbound");

        // 保持 and 取消保持 from the bar re-INVITE both phones, as the REST calls do.
        await desk.ClickByTestIdAsync("workbench-hold");
        await desk.ShowsAsync("workbench-held");
        await EventuallyAsync(() => caller.Messages.Contains("a=sendonly") && phone.Messages.Contains("a=inactive"), "both phones got a hold re-INVITE");
        (await ApiSteps.SendAsync(agent.Workbench, HttpMethod.Get, "/api/v1/agent/state")).GetProperty("held").GetBoolean().ShouldBeTrue();
        await desk.ClickByTestIdAsync("workbench-unhold");
        await desk.ShowsAsync("workbench-hold");
        (await desk.GetByTestId("workbench-held").CountAsync()).ShouldBe(0);

        // The caller hangs up: the bar empties and the agent wraps up.
        (await caller.WaitAsync()).ExitCode.ShouldBe(0, "the caller took the hold and resume re-INVITEs, then hung up");
        (await phone.WaitAsync()).ExitCode.ShouldBe(0);
        await desk.HasStatusAsync("workbench-state", "wrapUp");
        await desk.ShowsAsync("workbench-no-call");

        // 通话记录: the admin sees the answered call and its recording plays from the page.
        var record = (await center.CallsAsync()).Single();
        var admin = await context.NewPageAsync();
        await context.ClearCookiesAsync();
        await admin.SignInAsync(center.AdminSignIn.Account, center.AdminSignIn.Password);
        await admin.GotoAsync("/calls");
        await admin.HasStatusAsync("call-result", "Answered");
        await Assertions.Expect(admin.GetByTestId("call-agent")).ToHaveTextAsync(agent.AgentId);
        var src = await admin.GetByTestId("call-recording").GetAttributeAsync("src");
        src.ShouldBe($"/console/recordings/{record.Str("id")}");
        var wav = await admin.APIRequest.GetAsync(src!);
        wav.Status.ShouldBe(200);
        wav.Headers["content-type"].ShouldBe("audio/wav");
        (await wav.BodyAsync()).Length.ShouldBe((await center.RecordingAsync(record.Str("id"))).Wav.Length);
    }

    [Fact]
    public async Task An_agent_on_auto_answer_is_rung_with_answer_after_and_its_phone_picks_up_after_that_delay()
    {
        var center = await OpenAsync(autoAnswer: true, autoAnswerDelaySeconds: 2);
        var agent = center.Agents[0];
        var phone = StartPhone("phone-auto-answers.xml", await ReadyAsync(center, agent));

        var caller = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number));

        caller.ExitCode.ShouldBe(0, caller.ToString());
        // The scenario fails the call unless the INVITE carries both headers; it answers after the seconds Call-Info asks for.
        var answered = await phone.WaitAsync();
        answered.ExitCode.ShouldBe(0, answered.ToString());
        answered.Messages.ShouldMatch(@"Call-Info: <sip:[^>]+>;answer-after=2\b");
        answered.Messages.ShouldContain("Alert-Info: info=alert-autoanswer");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.GetProperty("waitSeconds").GetInt32().ShouldBeGreaterThanOrEqualTo(2, "the phone answered only after the delay it was given");
    }

    [Fact]
    public async Task The_agent_idle_the_longest_gets_the_call()
    {
        var center = await OpenAsync(agents: 2);
        var (first, second) = (center.Agents[0], center.Agents[1]);
        var firstPort = await ReadyAsync(center, first, signIn: false);
        var secondPort = await ReadyAsync(center, second, signIn: false);
        // The second agent signs in first: it has been idle the longest, though it comes second in the list.
        await second.ActAsync("sign-in");
        await Task.Delay(200);
        await first.ActAsync("sign-in");
        var firstPhone = StartPhone("phone-answers.xml", firstPort);
        var secondPhone = StartPhone("phone-answers.xml", secondPort);

        var call = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number));

        call.ExitCode.ShouldBe(0, call.ToString());
        (await secondPhone.WaitAsync()).Successful.ShouldBe(1);
        firstPhone.Messages.ShouldNotContain("INVITE sip:");
        (await center.CallsAsync()).Single().Str("agentId").ShouldBe(second.AgentId);

        // Now the first agent has waited longest (the second was just talking): the next call is its.
        await center.EventuallyAsync(second, "idle");
        var secondAgain = StartPhone("phone-answers.xml", secondPort);
        var again = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number));
        again.ExitCode.ShouldBe(0, again.ToString());
        (await firstPhone.WaitAsync()).Successful.ShouldBe(1);
        secondAgain.Messages.ShouldNotContain("INVITE sip:", customMessage: "the second agent was not offered the call first");
        (await center.CallsAsync(2))[0].Str("agentId").ShouldBe(first.AgentId);
    }

    [Fact]
    public async Task A_caller_waits_while_the_only_agent_is_busy_and_is_connected_when_the_agent_is_ready()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phone = StartPhone("phone-answers.xml", await ReadyAsync(center, agent));
        (await agent.ActAsync("not-ready")).Str("state").ShouldBe("busy");

        var caller = Keep(Sipp.Start("caller-talks.xml", CallerOptions(center.Number)));
        await EventuallyAsync(() => caller.Messages.Contains("SIP/2.0 183"), "the caller hears ringback while it waits");
        await Task.Delay(1500);
        phone.Messages.ShouldNotContain("INVITE sip:", customMessage: "a busy agent's phone does not ring");
        (await center.StateAsync(agent)).ShouldBe("busy");

        await agent.ActAsync("ready");

        var run = await caller.WaitAsync();
        run.ExitCode.ShouldBe(0, run.ToString());
        (await phone.WaitAsync()).Successful.ShouldBe(1);
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.Str("agentId").ShouldBe(agent.AgentId);
        record.GetProperty("waitSeconds").GetInt32().ShouldBeGreaterThanOrEqualTo(1, "it waited in the queue");
    }

    [Fact]
    public async Task Without_a_free_agent_the_caller_is_refused_with_480_after_the_queues_maximum_wait()
    {
        var center = await OpenAsync(maxWaitSeconds: 2);
        var agent = center.Agents[0];
        // Registered but never signed in: the ACD cannot offer it the call.
        var phone = StartPhone("phone-answers.xml", await ReadyAsync(center, agent, signIn: false));

        var run = await Sipp.RunAsync("caller-refused.xml", CallerOptions(center.Number));

        run.ExitCode.ShouldBe(0, run.ToString());
        FinalStatus(run).ShouldBe("480 No Agent Available", run.ToString());
        run.Messages.ShouldContain("Reason: SIP;cause=480;text=\"No Agent Available\"");
        phone.Messages.ShouldNotContain("INVITE sip:");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("queueTimeout");
        record.Str("reason").ShouldBe("480 No Agent Available");
        record.GetProperty("answeredAt").ValueKind.ShouldBe(JsonValueKind.Null);
        record.GetProperty("waitSeconds").GetInt32().ShouldBeInRange(2, 10);
    }

    [Fact]
    public async Task A_phone_that_does_not_answer_in_time_passes_the_call_to_the_next_agent_and_its_agent_is_set_busy()
    {
        var center = await OpenAsync(agents: 2);
        var (slow, next) = (center.Agents[0], center.Agents[1]);
        var slowPort = await ReadyAsync(center, slow);
        await Task.Delay(200);
        var nextPort = await ReadyAsync(center, next);
        var unanswered = StartPhone("phone-rings.xml", slowPort);
        var answering = StartPhone("phone-answers.xml", nextPort);

        var call = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number));

        call.ExitCode.ShouldBe(0, call.ToString());
        var rang = await unanswered.WaitAsync();
        rang.ExitCode.ShouldBe(0, "the first phone rang and was cancelled when its ring time was over:\n" + rang);
        (await answering.WaitAsync()).Successful.ShouldBe(1);
        (await center.StateAsync(slow)).ShouldBe("busy");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.Str("agentId").ShouldBe(next.AgentId);
        record.GetProperty("waitSeconds").GetInt32().ShouldBeGreaterThanOrEqualTo(YunkeServer.RingTimeoutSeconds);
    }

    [Fact]
    public async Task A_caller_who_hangs_up_while_the_agent_rings_cancels_the_ringing_phone_and_leaves_the_agent_idle()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phone = StartPhone("phone-rings.xml", await ReadyAsync(center, agent));

        // The caller gives up after 2 s of ringback: the phone rings by then, and its ring time (4 s) is not over.
        var run = await Sipp.RunAsync("caller-cancels.xml", CallerOptions(center.Number, talk: TimeSpan.FromSeconds(2)));

        run.ExitCode.ShouldBe(0, "200 for the CANCEL, 487 for the INVITE:\n" + run);
        var rang = await phone.WaitAsync();
        rang.ExitCode.ShouldBe(0, "the agent's phone got the CANCEL:\n" + rang);
        await center.EventuallyAsync(agent, "idle");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("abandoned");
        record.Str("agentId").ShouldBe(agent.AgentId);
        record.GetProperty("answeredAt").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task When_the_agent_hangs_up_its_bye_reaches_the_caller_and_the_agent_wraps_up()
    {
        var center = await OpenAsync(wrapUpSeconds: 60);
        var agent = center.Agents[0];
        var phone = StartPhone("phone-hangs-up.xml", await ReadyAsync(center, agent), pause: TimeSpan.FromSeconds(2));

        var run = await Sipp.RunAsync("caller-hung-up-on.xml", CallerOptions(center.Number));

        run.ExitCode.ShouldBe(0, "the caller got a BYE:\n" + run);
        var hungUp = await phone.WaitAsync();
        hungUp.ExitCode.ShouldBe(0, "Yunke answered the phone's BYE with 200:\n" + hungUp);
        (await center.StateAsync(agent)).ShouldBe("wrapUp");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.Str("reason").ShouldBe("BYE from the agent");
    }

    [Fact]
    public async Task The_agent_dials_out_its_phone_rings_first_then_the_customer_through_the_trunk_with_the_instance_number()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phone = StartPhone("phone-answers.xml", await ReadyAsync(center, agent));
        var customer = Keep(Sipp.Start("phone-hangs-up.xml", new SippOptions
        {
            LocalPort = server.TrunkPort, Timeout = TimeSpan.FromSeconds(60), Pause = TimeSpan.FromSeconds(1), Service = "13900001111",
            Keys = new Dictionary<string, string> { ["rtp_port"] = YunkeServer.FreePort().ToString() },
        }));

        var dialled = await ApiSteps.SendAsync(agent.Workbench, HttpMethod.Post, "/api/v1/agent/dial", new { number = "13900001111", mediaType = "audio" });

        dialled.Str("state").ShouldBe("ringing");
        var atPhone = await phone.WaitAsync();
        atPhone.ExitCode.ShouldBe(0, "the agent's phone answered and got the BYE when the customer hung up:\n" + atPhone);
        atPhone.Messages.ShouldMatch(@"Call-Info: <sip:[^>]+>;answer-after=0\b", "the phone is told to pick up at once");
        var atCustomer = await customer.WaitAsync();
        atCustomer.ExitCode.ShouldBe(0, atCustomer.ToString());
        atCustomer.Messages.ShouldMatch($@"INVITE sip:13900001111@127\.0\.0\.1:{server.TrunkPort} SIP/2\.0");
        atCustomer.Messages.ShouldMatch($@"From: ""?{center.Number}""? <sip:{center.Number}@", "the caller ID is the instance's number");
        await center.EventuallyAsync(agent, "idle");
        var record = (await center.CallsAsync()).Single();
        record.Str("direction").ShouldBe("outbound");
        record.Str("caller").ShouldBe(center.Number);
        record.Str("callee").ShouldBe("13900001111");
        record.Str("result").ShouldBe("answered");
        record.Str("reason").ShouldBe("BYE from the customer");
    }

    [Fact]
    public async Task A_direct_call_to_an_idle_agents_softphone_is_refused_and_the_phone_never_rings()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phone = StartPhone("phone-answers.xml", await ReadyAsync(center, agent));

        var run = await Sipp.RunAsync("caller-refused.xml", CallerOptions(agent.Number));

        run.ExitCode.ShouldBe(0, run.ToString());
        FinalStatus(run).ShouldBe("403 Softphones Take No Direct Calls", run.ToString());
        phone.Messages.ShouldNotContain("INVITE sip:");
        (await center.StateAsync(agent)).ShouldBe("idle");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("rejected");
        record.Str("callee").ShouldBe(agent.Number);
    }

    [Fact]
    public async Task Restarting_the_server_mid_call_ends_both_legs_records_the_call_and_leaves_no_agent_talking()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phone = StartPhone("phone-answers.xml", await ReadyAsync(center, agent));
        var caller = Keep(Sipp.Start("caller-hung-up-on.xml", CallerOptions(center.Number)));
        await TalkingAsync(center, agent, caller, phone);

        await server.RestartAsync();

        var hungUp = await caller.WaitAsync();
        hungUp.ExitCode.ShouldBe(0, "the caller got a BYE as the server stopped:\n" + hungUp);
        var atPhone = await phone.WaitAsync();
        atPhone.ExitCode.ShouldBe(0, "so did the agent's phone:\n" + atPhone);
        (await center.StateAsync(agent)).ShouldBeOneOf("idle", "wrapUp");
        var record = (await center.CallsAsync()).Single();
        record.Str("result").ShouldBe("answered");
        record.Str("reason").ShouldBe("the server shut down");
        record.GetProperty("endedAt").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Fact]
    public async Task A_crash_mid_call_leaves_no_agent_stuck_in_talking_after_the_restart()
    {
        var center = await OpenAsync();
        var agent = center.Agents[0];
        var phonePort = await ReadyAsync(center, agent);
        var phone = StartPhone("phone-answers.xml", phonePort);
        var caller = Keep(Sipp.Start("caller-hung-up-on.xml", CallerOptions(center.Number)));
        await TalkingAsync(center, agent, caller, phone);
        // Time for the state to be saved behind, so the restarted server finds the agent talking.
        await Task.Delay(1500);

        await server.RestartAsync(crash: true);

        (await center.StateAsync(agent)).ShouldBe("idle", "no call outlives a restart");
        // The agent takes calls again: a new call rings its phone (its registration survived the crash).
        await caller.StopAsync();
        await phone.StopAsync();
        var again = StartPhone("phone-answers.xml", phonePort);
        var call = await Sipp.RunAsync("caller-talks.xml", CallerOptions(center.Number));
        call.ExitCode.ShouldBe(0, call.ToString());
        (await again.WaitAsync()).Successful.ShouldBe(1);
        (await center.CallsAsync()).Single().Str("result").ShouldBe("answered");
    }

    // ---------------------------------------------------------------- helpers

    private async Task<CallCenter> OpenAsync(int agents = 1, int maxWaitSeconds = 30, int wrapUpSeconds = 0, bool autoAnswer = false,
        int autoAnswerDelaySeconds = 2)
    {
        var center = await CallCenter.OpenAsync(server, agents, maxWaitSeconds, wrapUpSeconds, autoAnswer, autoAnswerDelaySeconds);
        centers.Add(center);
        return center;
    }

    /// <summary>Until the agent talks; when it does not, what the caller's and the phone's sipp saw goes to the test's log.</summary>
    private async Task TalkingAsync(CallCenter center, CallCenter.Agent agent, SippProcess caller, SippProcess phone)
    {
        try
        {
            await center.EventuallyAsync(agent, "talking");
        }
        catch (ShouldAssertException)
        {
            log.WriteLine($"--- the caller's sipp ---\n{Last(caller.Messages)}\n--- the phone's sipp ---\n{Last(phone.Messages)}");
            throw;
        }

        static string Last(string text) => text.Length <= 6000 ? text : text[^6000..];
    }

    /// <summary>Registers the agent's phone (from a free port, where its scenario will listen) and signs the agent in: idle and reachable.</summary>
    private static async Task<int> ReadyAsync(CallCenter center, CallCenter.Agent agent, bool signIn = true)
    {
        var port = YunkeServer.FreePort();
        await center.RegisterAsync(agent, port);
        if (signIn) (await agent.ActAsync("sign-in")).Str("state").ShouldBe("idle");
        return port;
    }

    /// <summary>A phone scenario waiting on the port its registration named; its SDP names <paramref name="rtpPort"/>.</summary>
    private SippProcess StartPhone(string scenario, int localPort, int? rtpPort = null, TimeSpan? pause = null, string? service = null) =>
        Keep(Sipp.Start(scenario, new SippOptions
        {
            LocalPort = localPort, Timeout = TimeSpan.FromSeconds(60), Pause = pause, Service = service ?? "phone",
            Keys = new Dictionary<string, string> { ["rtp_port"] = (rtpPort ?? YunkeServer.FreePort()).ToString() },
        }));

    /// <summary>A caller dialling <paramref name="number"/>, playing the caller's tone from its media port and echoing what it hears.</summary>
    private SippOptions CallerOptions(string number, TimeSpan? talk = null) => new()
    {
        RemotePort = server.SipPort, Service = number, Pause = talk ?? TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(60),
        EchoMediaPort = FreeEchoPort(), Files = new Dictionary<string, byte[]> { ["caller-tone.pcap"] = CallerPcap.Value },
    };

    /// <summary>A port for sipp's media with -rtp_echo, which also takes the port two above it.</summary>
    private static int FreeEchoPort()
    {
        while (true)
        {
            var port = YunkeServer.FreePort();
            try
            {
                using var above = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port + 2));
                return port;
            }
            catch (System.Net.Sockets.SocketException) { }
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"Not within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }

    private T Keep<T>(T disposable) where T : IAsyncDisposable
    {
        disposables.Add(disposable);
        return disposable;
    }

    /// <summary>The status line of the final response to the INVITE in a caller's messages ("480 No Agent Available").</summary>
    private static string FinalStatus(SippRun run) =>
        FinalResponse().Matches(run.Messages).Select(m => m.Groups["status"].Value).LastOrDefault() ?? "(none)";

    [GeneratedRegex(@"SIP/2\.0 (?<status>[2-6]\d\d [^\r\n]*)\r?\n(?:[^\r\n]+\r?\n)*?CSeq: *\d+ INVITE", RegexOptions.Multiline)]
    private static partial Regex FinalResponse();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(disposables)) await disposable.DisposeAsync();
        foreach (var center in centers) center.Dispose();
        var lines = server.Output.Split('\n');
        try { log.WriteLine($"--- server output (last 60 lines) ---\n{string.Join('\n', lines.TakeLast(60))}"); }
        catch (InvalidOperationException) { /* the test has already finished */ }
    }
}
