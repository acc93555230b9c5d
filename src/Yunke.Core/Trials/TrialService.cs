using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Numbers;
using Yunke.Core.Offerings;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;

namespace Yunke.Core.Trials;

/// <summary>
/// Free trials (seed chapter 2): a verified account in good standing applies, the operator approves,
/// and approval provisions a trial instance with an experience number, a few seats and a tenant admin.
/// </summary>
public sealed class TrialService(YunkeDb db, OfferingService offerings, AccountService accounts, NumberService numbers, AgentService agents,
    TimeProvider clock)
{
    public sealed record ApplicationInput(string? Company, string? ContactName, string? ContactPhone, string? Email, bool AgreePrivacyPolicy = false);

    public sealed record ApplicationView(Guid Id, Guid AccountId, string Company, string ContactName, string ContactPhone, string Email,
        TrialStatus Status, string? Reason, Guid? InstanceId, DateTime CreatedAt, DateTime? DecidedAt)
    {
        public static ApplicationView From(TrialApplication t) => new(t.Id, t.AccountId, t.Company, t.ContactName, t.ContactPhone,
            t.Email, t.Status, t.Reason, t.InstanceId, t.CreatedAt, t.DecidedAt);
    }

    public async Task<ApplicationView> ApplyAsync(Actor actor, ApplicationInput input, CancellationToken ct = default)
    {
        new Validation()
            .Required("company", input.Company, 200)
            .Required("contactName", input.ContactName, 64)
            .Phone("contactPhone", input.ContactPhone)
            .Email("email", input.Email)
            .True("agreePrivacyPolicy", input.AgreePrivacyPolicy, "Accept the privacy policy (《隐私政策声明》) to apply.")
            .ThrowIfInvalid();
        var account = await db.CloudAccountAsync(actor, ct);
        EnsureMayTrial(account);
        var earlier = await db.Set<TrialApplication>().Where(t => t.AccountId == account.Id)
            .Select(t => t.Status).ToListAsync(ct);
        if (earlier.Contains(TrialStatus.Submitted))
            throw ApplicationOpen();
        if (earlier.Contains(TrialStatus.Approved))
            throw YunkeException.Conflict("trialAlreadyGranted", "This account already had its free trial.");

        var now = Now;
        var application = new TrialApplication
        {
            AccountId = account.Id,
            Company = input.Company!.Trim(),
            ContactName = input.ContactName!.Trim(),
            ContactPhone = input.ContactPhone!.Trim(),
            Email = input.Email!.Trim(),
            Status = TrialStatus.Submitted,
            CreatedAt = now,
        };
        db.Add(application);
        db.Audit(actor, now, "trial.applied", application.Id.ToString(), application.Company);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { throw ApplicationOpen(); }
        return ApplicationView.From(application);
    }

    public Task<Page<ApplicationView>> ListMineAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        return db.Set<TrialApplication>().AsNoTracking().Where(t => t.AccountId == actor.AccountId)
            .OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id).ToPageAsync(page, ApplicationView.From, ct);
    }

    public Task<Page<ApplicationView>> ListAsync(Actor actor, TrialStatus? status, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var query = db.Set<TrialApplication>().AsNoTracking();
        if (status is not null) query = query.Where(t => t.Status == status);
        return query.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToPageAsync(page, ApplicationView.From, ct);
    }

    /// <summary>Approves and provisions the trial instance, all in one transaction.</summary>
    public async Task<ApplicationView> ApproveAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var application = await OpenApplicationAsync(id, ct);
        var owner = await db.Set<Account>().SingleAsync(a => a.Id == application.AccountId, ct);
        EnsureMayTrial(owner);

        var offer = (await offerings.GetAsync(ct)).Trial;
        var now = Now;
        var instance = new Instance
        {
            Name = TrialName(application.Company),
            OwnerAccountId = owner.Id,
            Status = InstanceStatus.Active,
            IsTrial = true,
            BillingMode = "trial",
            Spec = "trial",
            VoiceSeats = offer.VoiceSeats,
            VideoSeats = offer.VideoSeats,
            MultimediaSeats = offer.MultimediaSeats,
            CreatedAt = now,
            ExpiresAt = now.AddDays(offer.Days),
        };
        var experience = await numbers.AddExperienceNumberAsync(owner.Id, instance.Id, now, ct);
        var (admin, _) = await accounts.AddTenantAdminAsync(instance.Id, owner, ct);
        instance.TenantAdminAccountId = admin.Id;
        db.Add(instance);
        await agents.AllocateAsync(instance, ct);
        db.Add(Organization.DefaultFor(instance.Id, now));
        application.Status = TrialStatus.Approved;
        application.InstanceId = instance.Id;
        application.DecidedAt = now;
        db.Audit(actor, now, "trial.approved", application.Id.ToString(), application.Company, instance.Id);
        db.Audit(actor, now, "instance.created", instance.Name,
            $"trial for {offer.Days} days, seats {instance.Seats}, experience number {experience.Number}", instance.Id);
        db.Audit(actor, now, "account.tenantAdminCreated", admin.Name, "", instance.Id);
        await db.SaveChangesAsync(ct);
        return ApplicationView.From(application);
    }

    public async Task<ApplicationView> RejectAsync(Actor actor, Guid id, string? reason, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        new Validation().Required("reason", reason, 500).ThrowIfInvalid();
        var application = await OpenApplicationAsync(id, ct);
        var now = Now;
        application.Status = TrialStatus.Rejected;
        application.Reason = reason!.Trim();
        application.DecidedAt = now;
        db.Audit(actor, now, "trial.rejected", application.Id.ToString(), application.Reason);
        await db.SaveChangesAsync(ct);
        return ApplicationView.From(application);
    }

    /// <summary>Only verified, unfrozen, unrestricted accounts not yet in commercial use may trial (seed chapter 2, 前提条件).</summary>
    private static void EnsureMayTrial(Account account)
    {
        account.EnsureNotFrozen().EnsureNotRestricted().EnsureVerified();
        if (account.CommercialSince is not null)
            throw YunkeException.Rule("alreadyCommercial", "The service is already open for commercial use; a trial is no longer offered.");
    }

    private async Task<TrialApplication> OpenApplicationAsync(Guid id, CancellationToken ct)
    {
        var application = await db.Set<TrialApplication>().SingleOrDefaultAsync(t => t.Id == id, ct)
            ?? throw YunkeException.NotFound("The trial application");
        if (application.Status != TrialStatus.Submitted)
            throw YunkeException.Conflict("applicationClosed", $"The application is already {application.Status.ToString().ToLowerInvariant()}.");
        return application;
    }

    private static YunkeException ApplicationOpen() =>
        YunkeException.Conflict("applicationOpen", "An application is already waiting for review.");

    private static string TrialName(string company)
    {
        var name = $"{company} 试用";
        return name.Length <= 64 ? name : name[..64];
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
