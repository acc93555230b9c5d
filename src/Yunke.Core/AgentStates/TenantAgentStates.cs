using System.Collections.Concurrent;
using System.Threading.Channels;
using Yunke.Core.Acd;

namespace Yunke.Core.AgentStates;

/// <summary>
/// The single writer of one tenant's live agent states and skill-queue waits: one loop applies every
/// change in arrival order, whether it comes from the REST API, SIP or a timer, so no two sources can
/// race, and choosing an agent for a call (the ACD) is one step of that loop, so an agent can never be
/// offered two calls. Reads are lock-free from an immutable snapshot per agent. Persistence is written
/// behind in batches, and each change is published to subscribers. This is the unit that becomes an
/// Orleans grain later.
/// </summary>
public sealed class TenantAgentStates : IAsyncDisposable
{
    private readonly Channel<Action> inbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, AgentStatus> states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Channel<AgentStateChanged>> subscribers = new();
    private readonly ConcurrentDictionary<string, ITimer> timers = new(StringComparer.Ordinal);
    // Owned by the loop alone.
    private readonly IdleAgents idle = new();
    private readonly WaitingCalls waiting = new();
    private readonly Func<string, bool> reachable;
    private readonly AgentPresenceWriter writer;
    private readonly TimeProvider clock;
    private readonly Task loop;

    public Guid TenantId { get; }

    internal TenantAgentStates(Guid tenantId, IEnumerable<AgentStatus> persisted, ILookup<string, Guid> skills,
        AgentPresenceWriter writer, TimeProvider clock, IAgentReachability? reachability = null)
    {
        TenantId = tenantId;
        this.writer = writer;
        this.clock = clock;
        // Without a telephony layer (the state owner on its own) no phone limits the choice.
        reachable = reachability is null ? _ => true : agentId => reachability.IsReachable(tenantId, agentId);
        foreach (var group in skills) idle.SetSkills(group.Key, group);
        foreach (var status in persisted) Restore(status);
        loop = Task.Run(RunAsync);
    }

    /// <summary>The agent's current state; agents never seen are signed out.</summary>
    public AgentStatus Get(string agentId) =>
        states.TryGetValue(agentId, out var s) ? s : AgentStatus.SignedOut(agentId, DateTime.MinValue);

    public IReadOnlyCollection<AgentStatus> All => states.Values.ToList();

    /// <summary>How many subscriptions are open (supervisors' sockets, workbench pages): one left behind is a leak.</summary>
    public int SubscriberCount => subscribers.Count;

    /// <summary>
    /// Moves the agent and answers its new state, or throws the refusal. <paramref name="until"/> is when
    /// a rest or wrap-up ends; the owner then moves the agent on by itself.
    /// </summary>
    public Task<AgentStatus> ApplyAsync(string agentId, AgentTrigger trigger, Guid? callId = null, DateTime? until = null)
    {
        var done = new TaskCompletionSource<AgentStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { done.TrySetResult(Move(agentId, trigger, callId, until)); }
            catch (Exception e) { done.TrySetException(e); }
        });
        return done.Task;
    }

    /// <summary>
    /// Waits in the skill queue until an agent who serves it is idle and reachable, then moves that agent
    /// (longest idle first) to ringing for the call in the same step. <paramref name="enqueuedAt"/> keeps a
    /// call's place when it comes back after an agent did not answer. Cancelling the token (the caller
    /// hung up) leaves the queue.
    /// </summary>
    public Task<QueueOutcome> QueueAsync(Guid callId, Guid queueId, QueueLimits limits, DateTime? enqueuedAt = null, CancellationToken ct = default)
    {
        var outcome = new TaskCompletionSource<QueueOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => Enqueue(callId, queueId, limits, enqueuedAt ?? Now, outcome));
        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(() => Post(() => Leave(callId, QueueOutcome.Cancelled)));
            outcome.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return outcome.Task;
    }

    /// <summary>The agent's queues changed (the admin edited its skills): calls waiting there may now reach it.</summary>
    public void SetSkills(string agentId, IReadOnlyCollection<Guid> queueIds) => Post(() =>
    {
        idle.SetSkills(agentId, queueIds);
        OfferWaitingCallTo(agentId);
    });

    /// <summary>The agent's phone became reachable (registered): a call waiting for it may ring it now.</summary>
    public void Reconsider(string agentId) => Post(() =>
    {
        idle.Unpark(agentId);
        OfferWaitingCallTo(agentId);
    });

    /// <summary>How many calls wait in the queue now (a snapshot for dashboards; the loop may have moved on).</summary>
    public Task<int> WaitingCountAsync(Guid queueId)
    {
        var count = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => count.TrySetResult(waiting.Count(queueId)));
        return count.Task;
    }

    /// <summary>The queues the ACD offers this agent calls from (a snapshot, like <see cref="WaitingCountAsync"/>).</summary>
    public Task<IReadOnlyList<Guid>> QueuesOfAsync(string agentId)
    {
        var queues = new TaskCompletionSource<IReadOnlyList<Guid>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => queues.TrySetResult([.. idle.QueuesOf(agentId)]));
        return queues.Task;
    }

    private void Post(Action work)
    {
        if (!inbox.Writer.TryWrite(work)) throw new ObjectDisposedException(nameof(TenantAgentStates));
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Every change of this tenant from now on; a slow reader loses the oldest changes, never blocks the owner.</summary>
    public Subscription Subscribe(string? agentId = null)
    {
        var channel = Channel.CreateBounded<AgentStateChanged>(new BoundedChannelOptions(1024)
        { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var id = Guid.NewGuid();
        subscribers[id] = channel;
        return new Subscription(channel.Reader, agentId, () =>
        {
            if (subscribers.TryRemove(id, out var c)) c.Writer.TryComplete();
        });
    }

    private async Task RunAsync()
    {
        var reader = inbox.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var work)) work();
            writer.Flush();
        }
    }

    /// <summary>One legal move of one agent, applied, persisted, published; throws the refusal otherwise.</summary>
    private AgentStatus Move(string agentId, AgentTrigger trigger, Guid? callId, DateTime? until)
    {
        var current = Get(agentId);
        var to = AgentStateMachine.Next(current.State, trigger);
        var now = Now;
        callId = to is AgentState.Ringing or AgentState.Talking ? callId ?? current.CallId : null;
        until = to is AgentState.Rest or AgentState.WrapUp ? until : null;
        var next = new AgentStatus(agentId, to, now, callId, until);
        Set(next);
        writer.Write(TenantId, next);
        Publish(new AgentStateChanged(TenantId, agentId, current.State, to, trigger, now, callId, until));
        if (to == AgentState.Idle) OfferWaitingCallTo(agentId);
        return next;
    }

    private void TimeUp(AgentStatus expected)
    {
        // A timer for a state that has moved on has nothing to do.
        if (Get(expected.AgentId) == expected) Move(expected.AgentId, AgentTrigger.TimeUp, null, null);
    }

    private void Enqueue(Guid callId, Guid queueId, QueueLimits limits, DateTime enqueuedAt, TaskCompletionSource<QueueOutcome> outcome)
    {
        if (waiting.Contains(callId)) { outcome.TrySetException(new InvalidOperationException("The call already waits in a queue.")); return; }
        if (waiting.Count(queueId) == 0 && idle.Pick(queueId, reachable) is { } agentId)
        {
            Move(agentId, AgentTrigger.Offer, callId, null);
            outcome.TrySetResult(new QueueOutcome(QueueResult.Offered, agentId));
            return;
        }
        if (waiting.Count(queueId) >= limits.MaxLength) { outcome.TrySetResult(QueueOutcome.Full); return; }
        var call = waiting.Add(callId, queueId, enqueuedAt, outcome);
        var due = enqueuedAt + limits.MaxWait - Now;
        call.Timer = clock.CreateTimer(_ => Post(() => Leave(callId, QueueOutcome.TimedOut)), null,
            due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void Leave(Guid callId, QueueOutcome why) => waiting.Remove(callId)?.Outcome.TrySetResult(why);

    private void OfferWaitingCallTo(string agentId)
    {
        if (!idle.IsIdle(agentId) || !reachable(agentId)) return;
        if (waiting.Oldest(idle.QueuesOf(agentId)) is not { } call) return;
        waiting.Remove(call.CallId);
        Move(agentId, AgentTrigger.Offer, call.CallId, null);
        call.Outcome.TrySetResult(new QueueOutcome(QueueResult.Offered, agentId));
    }

    private void Restore(AgentStatus status)
    {
        // No call outlives a restart: an agent caught in one comes back idle rather than stuck.
        if (status.State is AgentState.Ringing or AgentState.Talking)
            status = status with { State = AgentState.Idle, CallId = null, Until = null };
        Set(status);
    }

    private void Set(AgentStatus status)
    {
        states[status.AgentId] = status;
        if (status.State == AgentState.Idle) idle.MarkIdle(status.AgentId, status.Since);
        else idle.MarkUnavailable(status.AgentId);
        if (timers.TryRemove(status.AgentId, out var old)) old.Dispose();
        if (status.Until is not { } until) return;
        var due = until - clock.GetUtcNow().UtcDateTime;
        timers[status.AgentId] = clock.CreateTimer(_ =>
            inbox.Writer.TryWrite(() => TimeUp(status)),
            null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void Publish(AgentStateChanged change)
    {
        foreach (var channel in subscribers.Values) channel.Writer.TryWrite(change);
    }

    public async ValueTask DisposeAsync()
    {
        inbox.Writer.TryComplete();
        await loop;
        foreach (var timer in timers.Values) timer.Dispose();
        foreach (var call in waiting.All.ToList()) Leave(call.CallId, QueueOutcome.Cancelled);
        foreach (var channel in subscribers.Values) channel.Writer.TryComplete();
        writer.Flush();
    }

    /// <summary>A stream of changes, optionally of one agent; dispose it to stop.</summary>
    public sealed class Subscription(ChannelReader<AgentStateChanged> reader, string? agentId, Action stop) : IDisposable
    {
        public async IAsyncEnumerable<AgentStateChanged> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var change in reader.ReadAllAsync(ct))
                if (agentId is null || change.AgentId == agentId) yield return change;
        }

        /// <summary>The next change (of the one agent, when subscribed to one); ChannelClosedException once unsubscribed.</summary>
        public async Task<AgentStateChanged> ReadAsync(CancellationToken ct = default)
        {
            while (true)
                if (await reader.ReadAsync(ct) is var change && (agentId is null || change.AgentId == agentId)) return change;
        }

        public void Dispose() => stop();
    }
}
