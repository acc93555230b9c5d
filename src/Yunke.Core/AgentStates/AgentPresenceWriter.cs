using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yunke.Core.Persistence;

namespace Yunke.Core.AgentStates;

/// <summary>
/// Writes agent states behind the live owners: changes are coalesced per agent and saved in one
/// batch, so a burst of state changes costs one transaction rather than one each, and the owners
/// never wait for the database.
/// </summary>
internal sealed class AgentPresenceWriter : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(Guid Tenant, string Agent), AgentStatus> dirty = new();
    private readonly SemaphoreSlim signal = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly IServiceScopeFactory scopes;
    private readonly ILogger log;
    private readonly Task loop;

    public AgentPresenceWriter(IServiceScopeFactory scopes, ILogger log)
    {
        this.scopes = scopes;
        this.log = log;
        loop = Task.Run(RunAsync);
    }

    public void Write(Guid tenant, AgentStatus status) => dirty[(tenant, status.AgentId)] = status;

    /// <summary>Asks for a save soon; many calls in a burst make one save.</summary>
    public void Flush()
    {
        if (signal.CurrentCount == 0) signal.Release();
    }

    private async Task RunAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(stopping.Token);
                await Task.Delay(20, stopping.Token); // let a burst gather
            }
            catch (OperationCanceledException) { break; }
            await SaveAsync();
        }
        await SaveAsync();
    }

    private async Task SaveAsync()
    {
        if (dirty.IsEmpty) return;
        var batch = new List<KeyValuePair<(Guid Tenant, string Agent), AgentStatus>>();
        foreach (var key in dirty.Keys)
            if (dirty.TryRemove(key, out var status)) batch.Add(new(key, status));
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
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
            await db.SaveChangesAsync();
        }
        catch (Exception e)
        {
            // Keep what failed for the next attempt, unless a newer state has arrived meanwhile.
            foreach (var (key, status) in batch) dirty.TryAdd(key, status);
            log.LogError(e, "Saving {Count} agent states failed; they will be retried", batch.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        stopping.Dispose();
        signal.Dispose();
    }
}
