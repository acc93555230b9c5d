using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Agents;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Persistence;

namespace Yunke.Core.Registrations;

/// <summary>A softphone number as the registrar needs it: whose it is, the digest HA1 to check, whether its instance is in service.</summary>
public sealed record SoftphoneAccount(Guid TenantId, string AgentId, string Number, string? Ha1, bool InService);

/// <summary>
/// Finds the softphone behind a number for authentication. Hits are cached for a short while (<see cref="ShortCache{TKey, TValue}"/>),
/// as every phone re-registers often and each registration asks twice; a new password forgets the number at once.
/// Unknown numbers are not cached, so a stranger's guesses cannot fill the memory.
/// </summary>
public sealed class SoftphoneDirectory(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);
    private readonly ShortCache<string, SoftphoneAccount> cache = new(clock, CacheFor, comparer: StringComparer.Ordinal);

    public async Task<SoftphoneAccount?> FindAsync(string number, CancellationToken ct = default)
    {
        if (cache.TryGet(number, out var hit)) return hit;
        if (number.Length <= Softphones.PrefixLength || number.Length > 32 || !number.All(char.IsAsciiDigit)) return null;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        var found = await db.Set<Agent>().AsNoTracking().Where(a => a.SoftphoneNumber == number)
            .Join(db.Set<Instance>(), a => a.TenantId, i => i.Id, (a, i) => new { a.TenantId, a.AgentId, a.SoftphoneHa1, Instance = i })
            .SingleOrDefaultAsync(ct);
        if (found is null) return null;
        var account = new SoftphoneAccount(found.TenantId, found.AgentId, number, found.SoftphoneHa1, found.Instance.IsUsableAt(clock.GetUtcNow().UtcDateTime));
        cache.Set(number, account);
        return account;
    }

    /// <summary>Drops the cached entry, e.g. after a password change.</summary>
    public void Forget(string number) => cache.Forget(number);
}
