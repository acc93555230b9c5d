using Bunit;
using Yunke.Core.Calls;
using Yunke.Server.Components.Pages.Calls;

namespace Yunke.Server.Tests.Console;

/// <summary>通话记录: the page lists the tenant's calls from the real service, with their result and recording.</summary>
public sealed class CallRecordsPageTests
{
    private static readonly DateTime Morning = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_tenant_admin_sees_each_call_with_its_result_and_a_player_for_its_recording()
    {
        await using var ctx = new ConsoleContext(culture: "zh-CN");
        var (admin, number) = await ctx.TenantAdminAsync();
        CallRecord Record(DateTime at, CallResult result, string? recording) => new()
        {
            TenantId = admin.Tenant, Direction = CallDirection.Inbound, Caller = "13800138000", Callee = number, AgentId = "1001",
            OfferedAt = at, AnsweredAt = result == CallResult.Answered ? at.AddSeconds(3) : null, EndedAt = at.AddSeconds(40),
            WaitSeconds = 3, TalkSeconds = result == CallResult.Answered ? 37 : 0, Result = result, RecordingFile = recording,
        };
        var answered = Record(Morning.AddMinutes(5), CallResult.Answered, "answered.wav");
        var timedOut = Record(Morning, CallResult.QueueTimeout, null);
        foreach (var call in new[] { answered, timedOut }) await ctx.WithAsync<CallService, bool>(async s => { await s.RecordAsync(call); return true; });

        var cut = ctx.Render<CallRecords>();
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=call-result]").Count.ShouldBe(2), TimeSpan.FromSeconds(10));
        cut.FindAll("[data-testid=call-result]").Select(c => c.GetAttribute("data-status")).ShouldBe(["Answered", "QueueTimeout"]);
        cut.FindAll("[data-testid=call-result]")[0].TextContent.ShouldBe("已接通");
        cut.FindAll("[data-testid=call-callee]").Select(c => c.TextContent).ShouldAllBe(c => c == number);
        cut.FindAll("[data-testid=call-talk]").Select(c => c.TextContent).ShouldBe(["37 秒", "0 秒"]);
        var players = cut.FindAll("[data-testid=call-recording]");
        players.Count.ShouldBe(1);
        players[0].GetAttribute("src").ShouldBe($"/console/recordings/{answered.Id}");
    }
}
