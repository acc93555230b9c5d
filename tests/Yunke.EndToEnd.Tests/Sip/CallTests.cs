using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
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
public sealed partial class CallTests(YunkeServer server, ITestOutputHelper log) : IAsyncLifetime
{
    private const double CallerTone = 1000, AgentTone = 600, NeitherTone = 1400;
    private static readonly Lazy<byte[]> CallerPcap = new(() => Tones.RtpPcap(CallerTone, TimeSpan.FromSeconds(6)));

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

    // ---------------------------------------------------------------- helpers

    private async Task<CallCenter> OpenAsync(int agents = 1, int maxWaitSeconds = 30, int wrapUpSeconds = 0, bool autoAnswer = false,
        int autoAnswerDelaySeconds = 2)
    {
        var center = await CallCenter.OpenAsync(server, agents, maxWaitSeconds, wrapUpSeconds, autoAnswer, autoAnswerDelaySeconds);
        centers.Add(center);
        return center;
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
        EchoMediaPort = YunkeServer.FreePort(), Files = new Dictionary<string, byte[]> { ["caller-tone.pcap"] = CallerPcap.Value },
    };

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
