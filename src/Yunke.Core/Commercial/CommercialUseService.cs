using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Numbers;
using Yunke.Core.Persistence;
using Yunke.Core.Trials;

namespace Yunke.Core.Commercial;

/// <summary>
/// Opening the service for commercial use (开通服务, seed chapter 3 step 2). It ends the free trial:
/// "商用后体验号码不可用" and the trial's resources "不可继续使用".
/// </summary>
public sealed class CommercialUseService(YunkeDb db, TimeProvider clock)
{
    public sealed record OpenInput(bool AgreeServiceAgreement = false, bool AgreePrivacyPolicy = false);

    /// <summary>Opens the service; calling it again changes nothing.</summary>
    public async Task<Account> OpenAsync(Actor actor, OpenInput input, CancellationToken ct = default)
    {
        new Validation()
            .True("agreeServiceAgreement", input.AgreeServiceAgreement, "Accept the service agreement (《云客服使用协议》).")
            .True("agreePrivacyPolicy", input.AgreePrivacyPolicy, "Accept the privacy policy (《隐私政策声明》).")
            .ThrowIfInvalid();
        var account = (await db.CloudAccountAsync(actor, ct)).EnsureNotFrozen();
        if (account.CommercialSince is not null) return account;

        var now = clock.GetUtcNow().UtcDateTime;
        account.CommercialSince = now;
        db.Audit(actor, now, "service.opened", account.Name);
        await EndTrialAsync(actor, account, now, ct);
        await db.SaveChangesAsync(ct);
        return account;
    }

    /// <summary>Trial instances end, their experience numbers are released, their staff are signed out for good.</summary>
    private async Task EndTrialAsync(Actor actor, Account account, DateTime now, CancellationToken ct)
    {
        var trials = await db.Set<Instance>()
            .Where(i => i.OwnerAccountId == account.Id && i.IsTrial && i.Status == InstanceStatus.Active).ToListAsync(ct);
        var trialIds = trials.Select(i => i.Id).ToList();
        foreach (var trial in trials)
        {
            trial.Status = InstanceStatus.Ended;
            trial.EndedAt = now;
            db.Audit(actor, now, "instance.ended", trial.Name, "trial ended by commercial use", trial.Id);
        }

        var experience = await db.Set<PhoneNumber>()
            .Where(n => n.OwnerAccountId == account.Id && n.Kind == NumberKind.Experience && n.Status != NumberStatus.Released).ToListAsync(ct);
        foreach (var number in experience)
        {
            number.Status = NumberStatus.Released;
            db.Audit(actor, now, "numbers.experienceReleased", number.Number, "", number.InstanceId);
        }
        // A released number routes nowhere, so that the next instance it is lent to can route it.
        var released = experience.Select(n => n.Number).ToList();
        var routes = await db.Set<CalledRoute>().Where(r => released.Contains(r.Number)).ToListAsync(ct);
        foreach (var route in routes) db.Audit(actor, now, "calledRoute.deleted", route.AccessCode, "number released", route.TenantId);
        db.RemoveRange(routes);

        // A new stamp ends every token and cookie they hold; sign-in refuses them as the instance is no longer active.
        var staff = await db.Set<Account>().Where(a => a.TenantId != null && trialIds.Contains(a.TenantId.Value)).ToListAsync(ct);
        foreach (var member in staff) member.SecurityStamp = Account.NewStamp();

        var open = await db.Set<TrialApplication>()
            .Where(t => t.AccountId == account.Id && t.Status == TrialStatus.Submitted).ToListAsync(ct);
        foreach (var application in open)
        {
            application.Status = TrialStatus.Closed;
            application.Reason = "The service was opened for commercial use.";
            application.DecidedAt = now;
            db.Audit(actor, now, "trial.closed", application.Id.ToString(), application.Reason);
        }
    }
}
