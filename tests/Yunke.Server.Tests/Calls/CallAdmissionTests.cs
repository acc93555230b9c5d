using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Yunke.Server.Telephony.Calls;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Telephony;

namespace Yunke.Server.Tests.Calls;

/// <summary>A server whose RTP range holds the media of one call (two port pairs), out of the other fixtures' range.</summary>
public sealed class OneCallApp : SqliteApp
{
    public OneCallApp() => Settings = new()
    {
        ["Yunke:Rtp:PortMin"] = "29000",
        ["Yunke:Rtp:PortMax"] = "29003",
    };
}

/// <summary>
/// A call Yunke cannot give media is refused at the door with 503 and Retry-After, and the calls in progress are
/// not touched; the capacity comes back when a call ends.
/// </summary>
public sealed class CallAdmissionTests(OneCallApp app) : IClassFixture<OneCallApp>
{
    [Theory]
    [InlineData(0, 0, 10, 0.0, null)]
    [InlineData(5, 5, 10, 0.0, "Too Many Calls")]
    [InlineData(4, 5, 10, 0.0, null)]
    [InlineData(100, 0, 1, 0.0, "No Media Ports")]
    [InlineData(100, 0, 2, 0.0, null)]
    [InlineData(1, 0, 10, 0.95, "Media Overloaded")]
    [InlineData(1, 0, 10, 0.89, null)]
    [InlineData(5, 5, 0, 1.0, "Too Many Calls")]
    public void The_rules_in_order(int calls, int maxCalls, int freePairs, double load, string? refusal) =>
        CallAdmission.Refusal(calls, maxCalls, freePairs, load, maxMediaLoad: 0.9).ShouldBe(refusal);

    [Fact]
    public void No_media_load_check_by_default() =>
        CallAdmission.Refusal(1, maxCalls: 0, freePortPairs: 10, mediaLoad: 1.0, maxMediaLoad: 0).ShouldBeNull();

    [Fact]
    public async Task With_no_media_ports_left_a_new_call_gets_503_with_retry_after_and_the_call_in_progress_goes_on()
    {
        await using var waiting = await Desks.DeskAsync(app, signIn: false);
        await using var firstPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");
        using var firstRtp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var first = CallerCall.Dial(firstPhone, app.SipPort, waiting.Tenant.Number, SipCalls.Sdp(firstPhone, Desks.Port(firstRtp)));
        (await first.ProvisionalAsync(183)).ShouldNotBeNull("the first call waits in the queue, holding the range's two pairs");

        await using var secondPhone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.3");
        var second = CallerCall.Dial(secondPhone, app.SipPort, waiting.Tenant.Number, SipCalls.Sdp(secondPhone, 42000));
        var refused = (await second.FinalAsync()).ShouldNotBeNull();
        refused.StatusCode.ShouldBe(503);
        refused.Headers.Get("Retry-After").ShouldBe("5");
        refused.Headers.Get("Reason").ShouldNotBeNull().ShouldContain("No Media Ports");
        (await Desks.ReceiveRtpAsync(firstRtp)).ShouldNotBeNull("the waiting caller still hears the prompt");
        var health = await app.Anonymous().GetAsync<JsonElement>("/healthz");
        health.GetProperty("calls").GetInt32().ShouldBe(1, "the refused call never counted");
        health.GetProperty("mediaLoad").GetDouble().ShouldBeInRange(0, 1);

        // An agent of another tenant dialling out is told the same over REST, and is not left ringing.
        await using var dialling = await Desks.DeskAsync(app);
        var dial = await dialling.Agent.SendPostAsync("/api/v1/agent/dial", new { number = "13900001111", mediaType = "audio" });
        var problem = await dial.ShouldBeProblemAsync(503, "callCapacity");
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("No Media Ports");
        dial.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldBe(TimeSpan.FromSeconds(5));
        (await dialling.StateAsync()).ShouldBe("idle");

        await first.CancelAsync();
        JsonElement calls = default;
        await Softphones.EventuallyAsync(async () =>
            (calls = await waiting.Tenant.Admin.GetAsync<JsonElement>("/api/v1/calls")).GetProperty("total").GetInt32() == 2, "both records");
        calls.GetProperty("items").EnumerateArray().Select(c => (c.Str("result"), c.Str("reason"))).Order()
            .ShouldBe([("abandoned", "487 Request Terminated"), ("rejected", "503 No Media Ports")]);

        // The ports are free again: the next call is taken.
        await Softphones.EventuallyAsync(async () =>
        {
            await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.4");
            var next = CallerCall.Dial(phone, app.SipPort, waiting.Tenant.Number, SipCalls.Sdp(phone, 43000));
            var taken = await next.ProvisionalAsync(183) is not null;
            if (taken) await next.CancelAsync();
            return taken;
        }, "a call taken once the first ended");
    }
}
