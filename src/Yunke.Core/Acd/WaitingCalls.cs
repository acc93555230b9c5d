namespace Yunke.Core.Acd;

/// <summary>
/// Calls waiting for an agent, per skill queue, in the order they first entered it (a call sent back
/// after an agent did not answer keeps its place). Not thread-safe: it lives inside a tenant's
/// single-writer owner.
/// </summary>
internal sealed class WaitingCalls
{
    private readonly Dictionary<Guid, SortedSet<WaitingCall>> byQueue = [];
    private readonly Dictionary<Guid, WaitingCall> byCall = [];
    private long arrivals;

    public int Count(Guid queueId) => byQueue.TryGetValue(queueId, out var set) ? set.Count : 0;

    public bool Contains(Guid callId) => byCall.ContainsKey(callId);

    public WaitingCall Add(Guid callId, Guid queueId, DateTime enqueuedAt, TaskCompletionSource<QueueOutcome> outcome)
    {
        var call = new WaitingCall(enqueuedAt, ++arrivals, callId, queueId, outcome);
        byCall[callId] = call;
        if (!byQueue.TryGetValue(queueId, out var set)) byQueue[queueId] = set = [];
        set.Add(call);
        return call;
    }

    public WaitingCall? Remove(Guid callId)
    {
        if (!byCall.Remove(callId, out var call)) return null;
        byQueue[call.QueueId].Remove(call);
        call.Timer?.Dispose();
        return call;
    }

    /// <summary>The call that has waited longest in any of the given queues.</summary>
    public WaitingCall? Oldest(IReadOnlyList<Guid> queueIds)
    {
        WaitingCall? oldest = null;
        foreach (var queue in queueIds)
            if (byQueue.TryGetValue(queue, out var set) && set.Count > 0 && (oldest is null || set.Min!.CompareTo(oldest) < 0))
                oldest = set.Min;
        return oldest;
    }

    /// <summary>Position (1-based) of the call in its queue, or 0 when it is not waiting.</summary>
    public int PositionOf(Guid callId) =>
        byCall.TryGetValue(callId, out var call) ? byQueue[call.QueueId].GetViewBetween(byQueue[call.QueueId].Min!, call).Count : 0;

    public IEnumerable<WaitingCall> All => byCall.Values;
}

internal sealed record WaitingCall(DateTime EnqueuedAt, long Arrival, Guid CallId, Guid QueueId, TaskCompletionSource<QueueOutcome> Outcome)
    : IComparable<WaitingCall>
{
    public ITimer? Timer { get; set; }

    public int CompareTo(WaitingCall? other)
    {
        if (other is null) return 1;
        var byTime = EnqueuedAt.CompareTo(other.EnqueuedAt);
        return byTime != 0 ? byTime : Arrival.CompareTo(other.Arrival);
    }
}
