using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Yunke.Core.Persistence;

/// <summary>
/// Saves changes behind a live in-memory owner: per key only the newest change is kept, a burst of
/// changes costs one transaction per batch rather than one each, and the owner never waits for the
/// database. A failed batch is kept for the next attempt unless a newer change has arrived meanwhile.
/// </summary>
public abstract class WriteBehind<TKey, TChange> : IAsyncDisposable where TKey : notnull
{
    private const int Chunk = 500;

    private readonly ConcurrentDictionary<TKey, TChange> dirty = new();
    private readonly SemaphoreSlim signal = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock stopLock = new();
    private readonly ILogger log;
    private readonly string what;
    private readonly Task loop;
    private Task? stopped;

    /// <param name="what">What is saved, for the log ("agent states").</param>
    protected WriteBehind(IServiceScopeFactory scopes, ILogger log, string what)
    {
        Scopes = scopes;
        this.log = log;
        this.what = what;
        loop = Task.Run(RunAsync);
    }

    public IServiceScopeFactory Scopes { get; }

    protected void Write(TKey key, TChange change) => dirty[key] = change;

    /// <summary>Asks for a save soon; many calls in a burst make one save.</summary>
    public void Flush()
    {
        if (signal.CurrentCount == 0) signal.Release();
    }

    /// <summary>Applies one batch to the database; the caller saves the changes.</summary>
    protected abstract Task ApplyAsync(YunkeDb db, IReadOnlyList<KeyValuePair<TKey, TChange>> batch);

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
            var batch = new List<KeyValuePair<TKey, TChange>>(Chunk);
            foreach (var key in dirty.Keys)
            {
                if (batch.Count == Chunk) break;
                if (dirty.TryRemove(key, out var change)) batch.Add(new(key, change));
            }
            try
            {
                await using var scope = Scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
                await ApplyAsync(db, batch);
                await db.SaveChangesAsync();
            }
            catch (ObjectDisposedException)
            {
                // The host is going down without having stopped us first (a failed start): nothing left to save with.
                log.LogWarning("{Count} {What} were not saved: the host stopped", batch.Count + dirty.Count, what);
                return;
            }
            catch (Exception e)
            {
                foreach (var (key, change) in batch) dirty.TryAdd(key, change);
                log.LogError(e, "Saving {Count} {What} failed; they will be retried", batch.Count, what);
                return;
            }
        }
    }

    /// <summary>
    /// Saves what is pending and stops. A host may stop its services twice at once: the second call
    /// waits for the same save rather than returning early and letting the container go under it.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (stopLock) stopped ??= StopAsync();
        return new(stopped);
    }

    private async Task StopAsync()
    {
        await stopping.CancelAsync();
        await loop;
        // The semaphore stays undisposed: a late change during shutdown may still signal it, harmlessly.
        stopping.Dispose();
    }
}
