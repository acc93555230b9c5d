using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Agents;

/// <summary>What ringing an agent's phone needs from its settings: the softphone number, and the auto-answer delay (null: the agent answers).</summary>
public sealed record AgentRing(string SoftphoneNumber, int? AutoAnswerAfter);

/// <summary>
/// An agent's ring settings for every call offered to it, without a query a call: kept for a minute at most, and
/// forgotten at once when the agent is configured again (<see cref="AgentService.UpdateAsync"/>).
/// </summary>
public sealed class AgentRingSettings(IServiceScopeFactory scopes, TimeProvider clock)
{
    private readonly ShortCache<(Guid Tenant, string Agent), AgentRing> cache = new(clock, TimeSpan.FromMinutes(1));

    public async Task<AgentRing?> FindAsync(Guid tenantId, string agentId, CancellationToken ct = default)
    {
        if (cache.TryGet((tenantId, agentId), out var hit)) return hit;
        await using var scope = scopes.CreateAsyncScope();
        var ring = await scope.ServiceProvider.GetRequiredService<YunkeDb>().Set<Agent>().AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.AgentId == agentId)
            .Select(a => new AgentRing(a.SoftphoneNumber, a.AutoAnswer ? a.AutoAnswerDelaySeconds : null))
            .SingleOrDefaultAsync(ct);
        if (ring is not null) cache.Set((tenantId, agentId), ring);
        return ring;
    }

    public void Forget(Guid tenantId, string agentId) => cache.Forget((tenantId, agentId));
}
