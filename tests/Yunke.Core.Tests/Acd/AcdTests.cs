using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yunke.Core.Acd;
using Yunke.Core.AgentStates;
using Yunke.Core.Persistence;

namespace Yunke.Core.Tests.Acd;

/// <summary>The ACD inside a tenant's single-writer owner: who gets a call, who waits, and how waits end.</summary>
public sealed class AcdTests : IAsyncLifetime
{
    private static readonly QueueLimits Roomy = new(10, TimeSpan.FromMinutes(5));
    private readonly string dir = Path.Combine(Path.GetTempPath(), "yunke-core-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly Phones phones = new();
    private readonly Guid queue = Guid.NewGuid();
    private readonly Guid otherQueue = Guid.NewGuid();
    private ServiceProvider services = null!;
    private TenantAgentStates states = null!;

    public async Task InitializeAsync()
    {
        services = new ServiceCollection()
            .AddYunkeDatabase("sqlite", null, dir)
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSingleton<IAgentReachability>(phones)
            .AddSingleton<AgentStateHub>()
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<YunkeDb>().MigrateAsync();
        states = await services.GetRequiredService<AgentStateHub>().ForTenantAsync(Guid.NewGuid());
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        Directory.Delete(dir, true);
    }

    /// <summary>Agents serving the queue, signed in one second apart in the order given.</summary>
    private async Task SignInAsync(params string[] agents)
    {
        foreach (var agent in agents)
        {
            states.SetSkills(agent, [queue]);
            phones.Register(agent);
            await states.ApplyAsync(agent, AgentTrigger.SignIn);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task The_longest_idle_agent_of_the_queue_gets_the_call_and_rings_for_it()
    {
        states.SetSkills("9000", [otherQueue]);
        await states.ApplyAsync("9000", AgentTrigger.SignIn); // idle longest, but serves another queue
        clock.Advance(TimeSpan.FromSeconds(1));
        await SignInAsync("1001", "1002", "1003");
        await states.ApplyAsync("1001", AgentTrigger.NotReady);
        await states.ApplyAsync("1001", AgentTrigger.Ready); // back to idle: now the most recent, not the longest

        var call = Guid.NewGuid();
        var first = await states.QueueAsync(call, queue, Roomy);
        first.ShouldBe(new QueueOutcome(QueueResult.Offered, "1002"));
        states.Get("1002").ShouldSatisfyAllConditions(s => s.State.ShouldBe(AgentState.Ringing), s => s.CallId.ShouldBe(call));

        (await states.QueueAsync(Guid.NewGuid(), queue, Roomy)).AgentId.ShouldBe("1003");
        (await states.QueueAsync(Guid.NewGuid(), queue, Roomy)).AgentId.ShouldBe("1001");
        states.Get("9000").State.ShouldBe(AgentState.Idle);
    }

    [Fact]
    public async Task Calls_wait_in_order_and_an_agent_in_a_call_gets_no_second_one()
    {
        await SignInAsync("1001");
        var ringing = await states.QueueAsync(Guid.NewGuid(), queue, Roomy);
        ringing.AgentId.ShouldBe("1001");

        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var firstWait = states.QueueAsync(a, queue, Roomy);
        clock.Advance(TimeSpan.FromSeconds(1));
        var secondWait = states.QueueAsync(b, queue, Roomy);
        (await states.WaitingCountAsync(queue)).ShouldBe(2);
        firstWait.IsCompleted.ShouldBeFalse();

        await states.ApplyAsync("1001", AgentTrigger.Answer);
        await states.ApplyAsync("1001", AgentTrigger.Hangup, until: clock.GetUtcNow().UtcDateTime.AddSeconds(10));
        firstWait.IsCompleted.ShouldBeFalse(); // wrap-up is not idle
        clock.Advance(TimeSpan.FromSeconds(10)); // wrap-up over: idle, and at once offered the oldest waiting call
        (await firstWait.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(new QueueOutcome(QueueResult.Offered, "1001"));
        states.Get("1001").CallId.ShouldBe(a);
        secondWait.IsCompleted.ShouldBeFalse();
        (await states.WaitingCountAsync(queue)).ShouldBe(1);
    }

    [Fact]
    public async Task A_full_queue_refuses_and_a_long_wait_times_out()
    {
        var limits = new QueueLimits(1, TimeSpan.FromSeconds(30));
        var waiting = states.QueueAsync(Guid.NewGuid(), queue, limits);
        (await states.QueueAsync(Guid.NewGuid(), queue, limits)).ShouldBe(QueueOutcome.Full);

        clock.Advance(TimeSpan.FromSeconds(29));
        (await states.WaitingCountAsync(queue)).ShouldBe(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(QueueOutcome.TimedOut);
        (await states.WaitingCountAsync(queue)).ShouldBe(0);

        // The agent who frees up later finds nobody waiting, and stays idle.
        await SignInAsync("1001");
        states.Get("1001").State.ShouldBe(AgentState.Idle);
    }

    [Fact]
    public async Task A_caller_who_hangs_up_leaves_the_queue()
    {
        using var hangup = new CancellationTokenSource();
        var waiting = states.QueueAsync(Guid.NewGuid(), queue, Roomy, ct: hangup.Token);
        await hangup.CancelAsync();
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe(QueueOutcome.Cancelled);
        await SignInAsync("1001");
        states.Get("1001").State.ShouldBe(AgentState.Idle);
        (await states.WaitingCountAsync(queue)).ShouldBe(0);
    }

    [Fact]
    public async Task An_agent_whose_phone_cannot_ring_is_passed_over_until_it_registers()
    {
        await SignInAsync("1001", "1002");
        phones.Unregister("1001");
        (await states.QueueAsync(Guid.NewGuid(), queue, Roomy)).AgentId.ShouldBe("1002");

        var waiting = states.QueueAsync(Guid.NewGuid(), queue, Roomy);
        (await states.WaitingCountAsync(queue)).ShouldBe(1);
        phones.Register("1001");
        states.Reconsider("1001");
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).AgentId.ShouldBe("1001");
    }

    [Fact]
    public async Task A_call_not_answered_goes_back_to_its_place_and_the_agent_is_set_busy()
    {
        await SignInAsync("1001");
        var enqueued = clock.GetUtcNow().UtcDateTime;
        var call = Guid.NewGuid();
        (await states.QueueAsync(call, queue, Roomy)).AgentId.ShouldBe("1001");
        clock.Advance(TimeSpan.FromSeconds(5));
        var later = states.QueueAsync(Guid.NewGuid(), queue, Roomy); // arrived while 1001 was ringing

        await states.ApplyAsync("1001", AgentTrigger.NoAnswer);
        states.Get("1001").State.ShouldBe(AgentState.Busy);
        var again = states.QueueAsync(call, queue, Roomy, enqueuedAt: enqueued);
        await SignInAsync("1002");
        (await again.WaitAsync(TimeSpan.FromSeconds(5))).AgentId.ShouldBe("1002"); // ahead of the later call
        later.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task Giving_an_idle_agent_a_queue_offers_it_the_calls_waiting_there()
    {
        states.SetSkills("1001", [otherQueue]);
        phones.Register("1001");
        await states.ApplyAsync("1001", AgentTrigger.SignIn);
        var waiting = states.QueueAsync(Guid.NewGuid(), queue, Roomy);
        (await states.WaitingCountAsync(queue)).ShouldBe(1);
        states.SetSkills("1001", [otherQueue, queue]);
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).AgentId.ShouldBe("1001");
    }

    [Fact]
    public async Task Many_callers_at_once_each_get_a_different_agent()
    {
        var agents = Enumerable.Range(1, 50).Select(i => $"{1000 + i}").ToArray();
        await SignInAsync(agents);
        var outcomes = await Task.WhenAll(agents.Select(_ => Task.Run(() => states.QueueAsync(Guid.NewGuid(), queue, Roomy))));
        outcomes.Select(o => o.AgentId).Distinct().Count().ShouldBe(50);
        agents.ShouldAllBe(a => states.Get(a).State == AgentState.Ringing);
    }

    /// <summary>Which agents' phones are registered, as the telephony layer would say.</summary>
    private sealed class Phones : IAgentReachability
    {
        private readonly ConcurrentDictionary<string, bool> registered = new();
        public void Register(string agentId) => registered[agentId] = true;
        public void Unregister(string agentId) => registered.TryRemove(agentId, out _);
        public bool IsReachable(Guid tenantId, string agentId) => registered.ContainsKey(agentId);
    }
}
