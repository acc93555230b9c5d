using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yunke.Core.Persistence;

namespace Yunke.Core.AgentStates;

/// <summary>Writes agent states behind the live owners, so the owners never wait for the database.</summary>
internal sealed class AgentPresenceWriter(IServiceScopeFactory scopes, ILogger log)
    : WriteBehind<(Guid Tenant, string Agent), AgentStatus>(scopes, log, "agent states")
{
    public void Write(Guid tenant, AgentStatus status) => Write((tenant, status.AgentId), status);

    protected override async Task ApplyAsync(YunkeDb db, IReadOnlyList<KeyValuePair<(Guid Tenant, string Agent), AgentStatus>> batch)
    {
        foreach (var tenantBatch in batch.GroupBy(b => b.Key.Tenant))
        {
            var ids = tenantBatch.Select(b => b.Key.Agent).ToList();
            var rows = await db.Set<AgentPresence>().Where(p => p.TenantId == tenantBatch.Key && ids.Contains(p.AgentId))
                .ToDictionaryAsync(p => p.AgentId);
            foreach (var (key, status) in tenantBatch)
            {
                if (!rows.TryGetValue(key.Agent, out var row))
                    db.Add(row = new AgentPresence { TenantId = key.Tenant, AgentId = key.Agent });
                row.State = status.State;
                row.Since = status.Since;
                row.CallId = status.CallId;
                row.Until = status.Until;
            }
        }
    }
}
