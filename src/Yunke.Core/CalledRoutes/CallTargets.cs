using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Acd;
using Yunke.Core.Common;
using Yunke.Core.Persistence;
using Yunke.Core.SkillQueues;

namespace Yunke.Core.CalledRoutes;

/// <summary>Where an access code leads, as an incoming call needs it: the tenant, and the queue with its limits when it is one.</summary>
public sealed record CallTarget(Guid TenantId, DeviceType DeviceType, CalledQueue? Queue);

/// <summary>The skill queue a call waits in, with what bounds the wait and the agent's wrap-up after it.</summary>
public sealed record CalledQueue(Guid Id, QueueLimits Limits, int WrapUpSeconds);

/// <summary>
/// Finds where a dialled access code leads for every incoming call without two queries a call: targets are kept
/// for a minute at most, and any change to a route or a queue forgets them all (admins change them seldom; calls
/// come by the hundred a second). Unknown codes are not kept, so a stranger's guesses cannot fill the memory.
/// </summary>
public sealed class CallTargets(IServiceScopeFactory scopes, TimeProvider clock)
{
    private readonly ShortCache<string, CallTarget> cache = new(clock, TimeSpan.FromMinutes(1), comparer: StringComparer.Ordinal);

    public async Task<CallTarget?> FindAsync(string accessCode, CancellationToken ct = default)
    {
        if (cache.TryGet(accessCode, out var hit)) return hit;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        var route = await db.Set<CalledRoute>().AsNoTracking().SingleOrDefaultAsync(r => r.AccessCode == accessCode, ct);
        if (route is null) return null;
        var queue = route.DeviceType != DeviceType.SkillQueue ? null
            : await db.Set<SkillQueue>().AsNoTracking().Where(q => q.Id == route.SkillQueueId)
                .Select(q => new CalledQueue(q.Id, new QueueLimits(q.MaxQueueLength, TimeSpan.FromSeconds(q.MaxWaitSeconds)), q.WrapUpSeconds))
                .SingleAsync(ct);
        var target = new CallTarget(route.TenantId, route.DeviceType, queue);
        cache.Set(accessCode, target);
        return target;
    }

    /// <summary>After a route or a queue changed: the next calls read them again.</summary>
    public void Forget() => cache.Clear();
}
