using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// "Something about agent X's call changed" (held, resumed, muted, unmuted, by the workbench or by the phone), for the
/// agent's live events. Only the signal travels: a listener reads the call as it now is, so a burst of changes costs
/// one message and none is ever out of date.
/// </summary>
public sealed class CallChanges
{
    // Each agent's listeners as an array that is replaced, never changed: Publish reads it without a lock.
    private readonly ConcurrentDictionary<(Guid Tenant, string Agent), Channel<bool>[]> listeners = new();

    public void Publish(Guid tenantId, string agentId)
    {
        if (!listeners.TryGetValue((tenantId, agentId), out var subscribers)) return;
        foreach (var channel in subscribers) channel.Writer.TryWrite(true);
    }

    /// <summary>Signals for one agent's call until disposed.</summary>
    public Subscription Subscribe(Guid tenantId, string agentId)
    {
        // One pending signal is as good as many.
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var key = (tenantId, agentId);
        listeners.AddOrUpdate(key, _ => [channel], (_, s) => [.. s, channel]);
        return new Subscription(channel.Reader, () =>
        {
            while (listeners.TryGetValue(key, out var s))
            {
                var rest = s.Where(c => c != channel).ToArray();
                if (rest.Length == 0 ? listeners.TryRemove(new(key, s)) : listeners.TryUpdate(key, rest, s)) break;
            }
        });
    }

    public sealed class Subscription(ChannelReader<bool> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<bool> Reader => reader;
        public void Dispose() => unsubscribe();
    }
}
