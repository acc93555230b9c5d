using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yunke.Core.Persistence;

namespace Yunke.Core.Registrations;

/// <summary>
/// Writes bindings behind the live store: a wave of re-REGISTERs costs one transaction per batch, not one
/// each, and the registrar answers without waiting for the database. Per binding only the newest change
/// is kept (a snapshot to save, or null to delete).
/// </summary>
internal sealed class BindingWriter : IAsyncDisposable
{
    private const int Chunk = 500;

    private readonly ConcurrentDictionary<Guid, SoftphoneBinding?> dirty = new();
    private readonly SemaphoreSlim signal = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ILogger log;
    private readonly Task loop;
    private readonly Lock stopLock = new();
    private Task? stopped;

    public BindingWriter(IServiceScopeFactory scopes, ILogger log)
    {
        Scopes = scopes;
        this.log = log;
        loop = Task.Run(RunAsync);
    }

    public IServiceScopeFactory Scopes { get; }

    public void Save(SoftphoneBinding binding) => dirty[binding.Id] = binding;

    public void Delete(Guid id) => dirty[id] = null;

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
        while (!dirty.IsEmpty)
        {
            var batch = new List<KeyValuePair<Guid, SoftphoneBinding?>>(Chunk);
            foreach (var id in dirty.Keys)
            {
                if (batch.Count == Chunk) break;
                if (dirty.TryRemove(id, out var binding)) batch.Add(new(id, binding));
            }
            try
            {
                await using var scope = Scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
                var ids = batch.Select(b => b.Key).ToList();
                var rows = await db.Set<SoftphoneBinding>().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id);
                foreach (var (id, binding) in batch)
                {
                    var row = rows.GetValueOrDefault(id);
                    if (binding is null) { if (row is not null) db.Remove(row); }
                    else if (row is null) db.Add(binding);
                    else db.Entry(row).CurrentValues.SetValues(binding);
                }
                await db.SaveChangesAsync();
            }
            catch (ObjectDisposedException)
            {
                // The host is going down without having stopped us first (a failed start): nothing left to save with.
                log.LogWarning("{Count} softphone binding changes were not saved: the host stopped", batch.Count + dirty.Count);
                return;
            }
            catch (Exception e)
            {
                // Keep what failed for the next attempt, unless a newer change has arrived meanwhile.
                foreach (var (id, binding) in batch) dirty.TryAdd(id, binding);
                log.LogError(e, "Saving {Count} softphone bindings failed; they will be retried", batch.Count);
                return;
            }
        }
    }

    /// <summary>Saves what is pending and stops; a second, concurrent call waits for the same save (hosts may stop twice).</summary>
    public ValueTask DisposeAsync()
    {
        lock (stopLock) stopped ??= StopAsync();
        return new(stopped);
    }

    private async Task StopAsync()
    {
        await stopping.CancelAsync();
        await loop;
        // The semaphore stays undisposed: a late REGISTER during shutdown may still signal it, harmlessly.
        stopping.Dispose();
    }
}
