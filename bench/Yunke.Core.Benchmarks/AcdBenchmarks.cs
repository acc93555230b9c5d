using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Yunke.Core.Acd;
using Yunke.Core.AgentStates;

namespace Yunke.Core.Benchmarks;

/// <summary>
/// Issue 5: the ACD's decision at 10,000 agents of one tenant, all serving the same queue, one in ten of
/// them with no phone registered, each measured alone (one invocation per iteration) for the percentiles.
/// <see cref="Decision"/> is what the owner's loop does for a call: choose the longest-idle reachable agent
/// and take it out of the idle set; <see cref="AcdOffer"/> adds the trip through the owner's
/// inbox (a queued call to a ringing agent, as the call controller sees it) and puts the agent back.
/// </summary>
[Config(typeof(Columns))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 500, iterationCount: 10_000, invocationCount: 1)]
public class AcdDecision
{
    private static readonly Guid Queue = Guid.NewGuid();
    private readonly IdleAgents idle = new();
    private DateTime clock = new(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc);

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < AgentStateBench.Agents; i++)
        {
            var agent = (10000 + i).ToString();
            idle.SetSkills(agent, [Queue, Guid.NewGuid()]);
            idle.MarkIdle(agent, clock = clock.AddMilliseconds(1));
        }
    }

    private static bool Reachable(string agentId) => agentId[^1] != '7';

    [Benchmark]
    public string? Decision()
    {
        var agent = idle.Pick(Queue, Reachable);
        if (agent is not null) idle.MarkIdle(agent, clock = clock.AddMilliseconds(1)); // back at the end, as after a call
        return agent;
    }
}

/// <inheritdoc cref="AcdDecision"/>
[Config(typeof(Columns))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 500, iterationCount: 10_000, invocationCount: 1)]
public class AcdOffer : AgentStateBench
{
    private static readonly Guid Queue = Guid.NewGuid();
    private readonly QueueLimits limits = new(100, TimeSpan.FromMinutes(1));
    private bool skilled;

    [Benchmark]
    public async Task<string?> OfferThroughOwner()
    {
        if (!skilled) // the base setup signs the agents in; the first warm-up call gives them the queue
        {
            for (var i = 0; i < Agents; i++) states.SetSkills(Id(i), [Queue]);
            skilled = true;
        }
        var outcome = await states.QueueAsync(Guid.NewGuid(), Queue, limits);
        await states.ApplyAsync(outcome.AgentId!, AgentTrigger.Withdraw);
        return outcome.AgentId;
    }
}
