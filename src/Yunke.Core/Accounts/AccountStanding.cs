using Microsoft.EntityFrameworkCore;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Accounts;

/// <summary>
/// The operator's view of accounts and their standing. A frozen account may still sign in and read,
/// but may not apply, buy or open anything; a restricted one may not apply for a free trial.
/// </summary>
public sealed class AccountStanding(YunkeDb db, TimeProvider clock)
{
    public enum Change { Freeze, Unfreeze, Restrict, Unrestrict }

    public Task<Page<Account>> ListAsync(Actor actor, AccountKind? kind, string? search, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var query = db.Set<Account>().AsNoTracking();
        if (kind is { } k) query = query.Where(a => a.Kind == k);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var normalized = Account.Normalize(search);
            query = query.Where(a => a.NormalizedName.Contains(normalized) || (a.EnterpriseName != null && a.EnterpriseName.Contains(search.Trim())));
        }
        return query.OrderByDescending(a => a.CreatedAt).ToPageAsync(page, a => a, ct);
    }

    public async Task<Account> GetAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        return await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw YunkeException.NotFound("The account");
    }

    public async Task<Account> ApplyAsync(Actor actor, Guid id, Change change, string? reason, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        new Validation().Optional("reason", reason, 500).ThrowIfInvalid();
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw YunkeException.NotFound("The account");
        if (account.Kind == AccountKind.Operator) throw YunkeException.Rule("operatorStanding", "The operator account's standing cannot change.");
        switch (change)
        {
            case Change.Freeze: account.Frozen = true; break;
            case Change.Unfreeze: account.Frozen = false; break;
            case Change.Restrict: account.Restricted = true; break;
            case Change.Unrestrict: account.Restricted = false; break;
        }
        account.StandingReason = account.Frozen || account.Restricted ? reason?.Trim() : null;
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, $"account.{change.ToString().ToLowerInvariant()}", account.Name, reason ?? "");
        await db.SaveChangesAsync(ct);
        return account;
    }
}
