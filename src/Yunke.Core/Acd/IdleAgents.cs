namespace Yunke.Core.Acd;

/// <summary>
/// Who may take a call of each skill queue right now, longest idle first: one list of idle agents per
/// queue, kept in idle-since order. Agents nearly always become idle "now", so an insertion lands at the
/// tail and every step (mark idle, mark unavailable, choose) costs O(1) whatever the tenant's size.
/// An idle agent found unreachable (no phone registered) is parked out of the lists until it is
/// reconsidered, so it is stepped over once rather than on every call.
/// Not thread-safe: it lives inside a tenant's single-writer owner.
/// </summary>
internal sealed class IdleAgents
{
    private static readonly Guid[] NoQueues = [];
    private readonly Dictionary<string, Guid[]> skills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LinkedListNode<IdleEntry>>> idle = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, LinkedList<IdleEntry>> byQueue = [];
    private long arrivals;

    public IReadOnlyList<Guid> QueuesOf(string agentId) => skills.GetValueOrDefault(agentId, NoQueues);

    public bool IsIdle(string agentId) => idle.ContainsKey(agentId);

    public int IdleCount(Guid queueId) => byQueue.TryGetValue(queueId, out var list) ? list.Count : 0;

    public void SetSkills(string agentId, IEnumerable<Guid> queueIds)
    {
        var wasIdle = idle.TryGetValue(agentId, out var nodes) ? nodes[0].Value : (IdleEntry?)null;
        MarkUnavailable(agentId);
        skills[agentId] = [.. queueIds.Distinct()];
        if (wasIdle is { } entry) Add(entry);
    }

    public void MarkIdle(string agentId, DateTime since)
    {
        MarkUnavailable(agentId);
        // The arrival number breaks ties between agents idle since the same instant: first come, first served.
        Add(new IdleEntry(since, ++arrivals, agentId));
    }

    public void MarkUnavailable(string agentId)
    {
        if (!idle.Remove(agentId, out var nodes)) return;
        Unlink(nodes);
    }

    /// <summary>The longest-idle agent of the queue whose phone can ring, or null; the unreachable ones met on the way are parked.</summary>
    public string? Pick(Guid queueId, Func<string, bool> reachable)
    {
        if (!byQueue.TryGetValue(queueId, out var list)) return null;
        for (var node = list.First; node is not null;)
        {
            var agentId = node.Value.AgentId;
            if (reachable(agentId)) return agentId;
            node = node.Next;
            Unlink(idle[agentId]);
        }
        return null;
    }

    /// <summary>Puts a parked idle agent back in its queues' lists, in its old place (its phone registered again).</summary>
    public void Unpark(string agentId)
    {
        if (idle.TryGetValue(agentId, out var nodes) && nodes[0].List is null && QueuesOf(agentId).Count > 0) Add(nodes[0].Value);
    }

    private static void Unlink(List<LinkedListNode<IdleEntry>> nodes)
    {
        foreach (var node in nodes) node.List?.Remove(node);
    }

    private void Add(IdleEntry entry)
    {
        var queues = QueuesOf(entry.AgentId);
        var nodes = new List<LinkedListNode<IdleEntry>>(Math.Max(queues.Count, 1));
        foreach (var queue in queues)
        {
            if (!byQueue.TryGetValue(queue, out var list)) byQueue[queue] = list = new();
            nodes.Add(InsertInOrder(list, entry));
        }
        // An agent without queues is still idle (a call may come to it directly), it is just in no list.
        if (nodes.Count == 0) nodes.Add(new LinkedListNode<IdleEntry>(entry));
        idle[entry.AgentId] = nodes;
    }

    private static LinkedListNode<IdleEntry> InsertInOrder(LinkedList<IdleEntry> list, IdleEntry entry)
    {
        var after = list.Last;
        while (after is not null && after.Value.CompareTo(entry) > 0) after = after.Previous;
        return after is null ? list.AddFirst(entry) : list.AddAfter(after, entry);
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
