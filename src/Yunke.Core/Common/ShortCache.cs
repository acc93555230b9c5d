using System.Collections.Concurrent;

namespace Yunke.Core.Common;

/// <summary>
/// Keeps what calls and registrations look up again and again (a number's account, a route, an agent's phone
/// settings) for a short while, so the hot paths do not query the database each time; whoever changes such data
/// forgets the entries it touched. Each entry lives between half and all of its time, drawn at random: entries
/// loaded together (a restart, a wave of calls) then expire spread out instead of all missing at once and
/// queueing on the database. Past <paramref name="maxEntries"/> it starts afresh, so memory stays bounded.
/// </summary>
public sealed class ShortCache<TKey, TValue>(TimeProvider clock, TimeSpan keepFor, int maxEntries = 100_000, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset Until)> entries = new(comparer);

    public bool TryGet(TKey key, out TValue value)
    {
        if (entries.TryGetValue(key, out var hit) && hit.Until > clock.GetUtcNow())
        {
            value = hit.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (entries.Count >= maxEntries) entries.Clear();
        entries[key] = (value, clock.GetUtcNow() + keepFor * (0.5 + Random.Shared.NextDouble() / 2));
    }

    public void Forget(TKey key) => entries.TryRemove(key, out _);

    public void Clear() => entries.Clear();
}
