namespace Yunke.Core.Acd;

/// <summary>
/// Who may take a call of each skill queue right now, longest idle first: one ordered set of idle
/// agents per queue, so a choice costs a few comparisons however many agents the tenant has.
/// Not thread-safe: it lives inside a tenant's single-writer owner.
/// </summary>
internal sealed class IdleAgents
{
    private static readonly Guid[] NoQueues = [];
    private readonly Dictionary<string, Guid[]> skills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IdleEntry> idle = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, SortedSet<IdleEntry>> byQueue = [];
    private long arrivals;

    public IReadOnlyList<Guid> QueuesOf(string agentId) => skills.GetValueOrDefault(agentId, NoQueues);

    public bool IsIdle(string agentId) => idle.ContainsKey(agentId);

    public int IdleCount(Guid queueId) => byQueue.TryGetValue(queueId, out var set) ? set.Count : 0;

    public void SetSkills(string agentId, IEnumerable<Guid> queueIds)
    {
        var wasIdle = idle.TryGetValue(agentId, out var entry);
        if (wasIdle) MarkUnavailable(agentId);
        skills[agentId] = [.. queueIds.Distinct()];
        if (wasIdle) Add(entry);
    }

    public void MarkIdle(string agentId, DateTime since)
    {
        MarkUnavailable(agentId);
        // The arrival number breaks ties between agents idle since the same instant: first come, first served.
        Add(new IdleEntry(since, ++arrivals, agentId));
    }

    public void MarkUnavailable(string agentId)
    {
        if (!idle.Remove(agentId, out var entry)) return;
        foreach (var queue in QueuesOf(agentId))
            if (byQueue.TryGetValue(queue, out var set)) set.Remove(entry);
    }

    /// <summary>The longest-idle agent of the queue whose phone can ring, or null.</summary>
    public string? Pick(Guid queueId, Func<string, bool> reachable)
    {
        if (!byQueue.TryGetValue(queueId, out var set)) return null;
        foreach (var entry in set)
            if (reachable(entry.AgentId)) return entry.AgentId;
        return null;
    }

    private void Add(IdleEntry entry)
    {
        idle[entry.AgentId] = entry;
        foreach (var queue in QueuesOf(entry.AgentId))
        {
            if (!byQueue.TryGetValue(queue, out var set)) byQueue[queue] = set = [];
            set.Add(entry);
        }
    }

    private readonly record struct IdleEntry(DateTime Since, long Arrival, string AgentId) : IComparable<IdleEntry>
    {
        public int CompareTo(IdleEntry other)
        {
            var bySince = Since.CompareTo(other.Since);
            return bySince != 0 ? bySince : Arrival.CompareTo(other.Arrival);
        }
    }
}
