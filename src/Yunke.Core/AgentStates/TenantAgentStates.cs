using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Yunke.Core.AgentStates;

/// <summary>
/// The single writer of one tenant's live agent states: one loop applies every change in arrival
/// order, whether it comes from the REST API, SIP or a timer, so no two sources can race. Reads are
/// lock-free from an immutable snapshot per agent. Persistence is written behind in batches, and
/// each change is published to subscribers. This is the unit that becomes an Orleans grain later.
/// </summary>
public sealed class TenantAgentStates : IAsyncDisposable
{
    private readonly Channel<Command> inbox = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, AgentStatus> states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Channel<AgentStateChanged>> subscribers = new();
    private readonly ConcurrentDictionary<string, ITimer> timers = new(StringComparer.Ordinal);
    private readonly AgentPresenceWriter writer;
    private readonly TimeProvider clock;
    private readonly Task loop;

    public Guid TenantId { get; }

    internal TenantAgentStates(Guid tenantId, IEnumerable<AgentStatus> persisted, AgentPresenceWriter writer, TimeProvider clock)
    {
        TenantId = tenantId;
        this.writer = writer;
        this.clock = clock;
        foreach (var status in persisted) Restore(status);
        loop = Task.Run(RunAsync);
    }

    /// <summary>The agent's current state; agents never seen are signed out.</summary>
    public AgentStatus Get(string agentId) =>
        states.TryGetValue(agentId, out var s) ? s : AgentStatus.SignedOut(agentId, DateTime.MinValue);

    public IReadOnlyCollection<AgentStatus> All => states.Values.ToList();

    /// <summary>
    /// Moves the agent and answers its new state, or throws the refusal. <paramref name="until"/> is when
    /// a rest or wrap-up ends; the owner then moves the agent on by itself.
    /// </summary>
    public Task<AgentStatus> ApplyAsync(string agentId, AgentTrigger trigger, Guid? callId = null, DateTime? until = null)
    {
        var command = new Command(agentId, trigger, callId, until, null);
        if (!inbox.Writer.TryWrite(command)) throw new ObjectDisposedException(nameof(TenantAgentStates));
        return command.Done.Task;
    }

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
            while (reader.TryRead(out var command)) Handle(command);
            writer.Flush();
        }
    }

    private void Handle(Command command)
    {
        var current = Get(command.AgentId);
        if (command.TimerFor is { } expected && current != expected) return; // a timer for a state that has moved on
        try
        {
            var to = AgentStateMachine.Next(current.State, command.Trigger);
            var now = clock.GetUtcNow().UtcDateTime;
            var callId = to is AgentState.Ringing or AgentState.Talking ? command.CallId ?? current.CallId : null;
            var until = to is AgentState.Rest or AgentState.WrapUp ? command.Until : null;
            var next = new AgentStatus(command.AgentId, to, now, callId, until);
            Set(next);
            writer.Write(TenantId, next);
            Publish(new AgentStateChanged(TenantId, command.AgentId, current.State, to, command.Trigger, now, callId, until));
            command.Done.TrySetResult(next);
        }
        catch (Exception e)
        {
            command.Done.TrySetException(e);
        }
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
        if (timers.TryRemove(status.AgentId, out var old)) old.Dispose();
        if (status.Until is not { } until) return;
        var due = until - clock.GetUtcNow().UtcDateTime;
        timers[status.AgentId] = clock.CreateTimer(_ =>
            inbox.Writer.TryWrite(new Command(status.AgentId, AgentTrigger.TimeUp, null, null, status)),
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
        foreach (var channel in subscribers.Values) channel.Writer.TryComplete();
        writer.Flush();
    }

    private sealed record Command(string AgentId, AgentTrigger Trigger, Guid? CallId, DateTime? Until, AgentStatus? TimerFor)
    {
        public TaskCompletionSource<AgentStatus> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A stream of changes, optionally of one agent; dispose it to stop.</summary>
    public sealed class Subscription(ChannelReader<AgentStateChanged> reader, string? agentId, Action stop) : IDisposable
    {
        public async IAsyncEnumerable<AgentStateChanged> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var change in reader.ReadAllAsync(ct))
                if (agentId is null || change.AgentId == agentId) yield return change;
        }

        public void Dispose() => stop();
    }
}
