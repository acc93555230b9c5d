using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yunke.Core.Acd;
using Yunke.Core.Agents;
using Yunke.Core.Persistence;

namespace Yunke.Core.AgentStates;

/// <summary>
/// Finds, or wakes from the database, the single-writer owner of a tenant's agent states. As a hosted
/// service it stops the owners and saves what is still written behind when the host stops, while the
/// database is still there.
/// </summary>
/// <param name="reachability">The telephony layer's view of which agents' phones can ring; absent, none is excluded.</param>
public sealed class AgentStateHub(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AgentStateHub> log,
    IAgentReachability? reachability = null) : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<TenantAgentStates>>> tenants = new();
    private readonly AgentPresenceWriter writer = new(scopes, log);
    private readonly Lock stopLock = new();
    private Task? stopped;

    public Task<TenantAgentStates> ForTenantAsync(Guid tenantId) =>
        tenants.GetOrAdd(tenantId, id => new Lazy<Task<TenantAgentStates>>(() => LoadAsync(id))).Value;

    private async Task<TenantAgentStates> LoadAsync(Guid tenantId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        var persisted = await db.Set<AgentPresence>().AsNoTracking().Where(p => p.TenantId == tenantId)
            .Select(p => new AgentStatus(p.AgentId, p.State, p.Since, p.CallId, p.Until)).ToListAsync();
        var skills = await db.Set<AgentSkill>().AsNoTracking().Where(s => s.TenantId == tenantId).ToListAsync();
        return new TenantAgentStates(tenantId, persisted, skills.ToLookup(s => s.AgentId, s => s.SkillQueueId), writer, clock, reachability);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <summary>
    /// Stops the owners and saves what is written behind. A host may stop its services twice at once
    /// (the factory and the lifetime both ask): the second call waits for the same save rather than
    /// returning early and letting the container be disposed under it.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (stopLock) stopped ??= StopOwnersAsync();
        return new(stopped);
    }

    private async Task StopOwnersAsync()
    {
        foreach (var tenant in tenants.Values.Where(t => t.IsValueCreated))
            await (await tenant.Value).DisposeAsync();
        await writer.DisposeAsync();
    }
}
