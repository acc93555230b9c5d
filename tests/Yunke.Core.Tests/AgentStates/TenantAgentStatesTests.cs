using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yunke.Core.AgentStates;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Tests.AgentStates;

/// <summary>The single-writer owner on a real SQLite file: order, timers, events, and a restart.</summary>
public sealed class TenantAgentStatesTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "yunke-core-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly Guid tenant = Guid.NewGuid();
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        services = NewServices();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<YunkeDb>().MigrateAsync();
    }

    private ServiceProvider NewServices() => new ServiceCollection()
        .AddYunkeDatabase("sqlite", null, dir)
        .AddSingleton<TimeProvider>(clock)
        .AddSingleton(NullLoggerFactory.Instance)
        .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
        .AddSingleton<AgentStateHub>()
        .BuildServiceProvider();

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Changes_apply_in_order_and_illegal_ones_are_refused_without_effect()
    {
        var states = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(tenant);
        states.Get("1001").State.ShouldBe(AgentState.SignedOut);
        (await states.ApplyAsync("1001", AgentTrigger.SignIn)).State.ShouldBe(AgentState.Idle);
        (await states.ApplyAsync("1001", AgentTrigger.NotReady)).State.ShouldBe(AgentState.Busy);
        var refusal = await Should.ThrowAsync<YunkeException>(() => states.ApplyAsync("1001", AgentTrigger.NotReady));
        refusal.Code.ShouldBe("illegalAgentTransition");
        states.Get("1001").State.ShouldBe(AgentState.Busy);
    }

    [Fact]
    public async Task Concurrent_writers_never_lose_a_change()
    {
        var states = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(tenant);
        var agents = Enumerable.Range(0, 200).Select(i => $"A{i}").ToList();
        await Task.WhenAll(agents.Select(a => Task.Run(() => states.ApplyAsync(a, AgentTrigger.SignIn))));
        // Two sources race to set each agent busy; exactly one of each pair wins, the other is told it already is.
        var results = await Task.WhenAll(agents.SelectMany(a => new[]
        {
            Task.Run(() => Outcome(states.ApplyAsync(a, AgentTrigger.NotReady))),
            Task.Run(() => Outcome(states.ApplyAsync(a, AgentTrigger.NotReady))),
        }));
        results.Count(ok => ok).ShouldBe(agents.Count);
        agents.ShouldAllBe(a => states.Get(a).State == AgentState.Busy);
    }

    [Fact]
    public async Task Rest_ends_by_itself_when_its_time_is_up_and_a_stale_timer_does_nothing()
    {
        var states = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(tenant);
        await states.ApplyAsync("7", AgentTrigger.SignIn);
        await states.ApplyAsync("7", AgentTrigger.Rest, until: clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        clock.Advance(TimeSpan.FromMinutes(4));
        await Settle();
        states.Get("7").State.ShouldBe(AgentState.Rest);
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually(() => states.Get("7").State == AgentState.Idle);

        // A rest cut short by the agent: its old timer must not move the agent again later.
        await states.ApplyAsync("7", AgentTrigger.Rest, until: clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        await states.ApplyAsync("7", AgentTrigger.NotReady);
        clock.Advance(TimeSpan.FromMinutes(10));
        await Settle();
        states.Get("7").State.ShouldBe(AgentState.Busy);
    }

    [Fact]
    public async Task Subscribers_see_each_change_and_an_agent_filter_sees_only_its_own()
    {
        var states = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(tenant);
        using var all = states.Subscribe();
        using var mine = states.Subscribe("B");
        await states.ApplyAsync("A", AgentTrigger.SignIn);
        await states.ApplyAsync("B", AgentTrigger.SignIn);
        await states.ApplyAsync("B", AgentTrigger.NotReady);

        var seen = await Take(all, 3);
        seen.Select(c => (c.AgentId, c.To)).ShouldBe([("A", AgentState.Idle), ("B", AgentState.Idle), ("B", AgentState.Busy)]);
        var own = await Take(mine, 2);
        own.ShouldAllBe(c => c.AgentId == "B");
        own[1].From.ShouldBe(AgentState.Idle);
        own[1].Trigger.ShouldBe(AgentTrigger.NotReady);
    }

    [Fact]
    public async Task States_survive_a_restart_and_calls_do_not()
    {
        var states = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(tenant);
        await states.ApplyAsync("1", AgentTrigger.SignIn);
        await states.ApplyAsync("2", AgentTrigger.SignIn);
        await states.ApplyAsync("2", AgentTrigger.NotReady);
        await states.ApplyAsync("3", AgentTrigger.SignIn);
        await states.ApplyAsync("3", AgentTrigger.Offer, callId: Guid.NewGuid());
        await states.ApplyAsync("3", AgentTrigger.Answer);
        await services.GetRequiredService<AgentStateHub>().StopAsync(default); // as the host does: saves what is written behind
        await services.DisposeAsync();

        services = NewServices();
        var again = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(tenant);
        again.Get("1").State.ShouldBe(AgentState.Idle);
        again.Get("2").State.ShouldBe(AgentState.Busy);
        again.Get("3").State.ShouldBe(AgentState.Idle);
        again.Get("3").CallId.ShouldBeNull();
        again.Get("4").State.ShouldBe(AgentState.SignedOut);
    }

    private static async Task<bool> Outcome(Task<AgentStatus> change)
    {
        try { await change; return true; }
        catch (YunkeException) { return false; }
    }

    private static async Task<List<AgentStateChanged>> Take(TenantAgentStates.Subscription subscription, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var list = new List<AgentStateChanged>();
        await foreach (var change in subscription.ReadAllAsync(timeout.Token))
        {
            list.Add(change);
            if (list.Count == count) break;
        }
        return list;
    }

    private static Task Settle() => Task.Delay(100);

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(20);
        condition().ShouldBeTrue();
    }
}
