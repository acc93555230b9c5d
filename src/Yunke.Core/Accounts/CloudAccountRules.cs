using Microsoft.EntityFrameworkCore;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Accounts;

/// <summary>The standing checks that guard what a cloud account may buy or apply for.</summary>
public static class CloudAccountRules
{
    /// <summary>The acting cloud account, read fresh (its standing may have changed since the token was issued).</summary>
    public static async Task<Account> CloudAccountAsync(this YunkeDb db, Actor actor, CancellationToken ct)
    {
        actor.Require(Roles.CloudAccount);
        return await db.Set<Account>().SingleOrDefaultAsync(a => a.Id == actor.AccountId && a.Kind == AccountKind.Cloud, ct)
            ?? throw YunkeException.NotFound("The account");
    }

    public static Account EnsureNotFrozen(this Account account) => account.Frozen
        ? throw YunkeException.Rule("accountFrozen", "The account is frozen; contact the platform operator.")
        : account;

    public static Account EnsureNotRestricted(this Account account) => account.Restricted
        ? throw YunkeException.Rule("accountRestricted", "The account is restricted; contact the platform operator.")
        : account;

    public static Account EnsureVerified(this Account account) => account.Verification != VerificationStatus.Verified
        ? throw YunkeException.Rule("notVerified", "The enterprise must be verified first (POST /api/v1/me/enterprise-verification).")
        : account;

    public static Account EnsureCommercial(this Account account) => account.CommercialSince is null
        ? throw YunkeException.Rule("serviceNotOpened", "Open the service for commercial use first (POST /api/v1/me/service).")
        : account;
}
