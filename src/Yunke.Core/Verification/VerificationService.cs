using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Verification;

/// <summary>Enterprise verification: a cloud account applies, the operator approves or rejects.</summary>
public sealed class VerificationService(YunkeDb db, TimeProvider clock)
{
    public sealed record Apply(string? EnterpriseName, string? CreditCode, string? LegalPerson);

    public async Task<EnterpriseVerification> ApplyAsync(Actor actor, Apply request, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        var v = new Validation()
            .Required("enterpriseName", request.EnterpriseName, 100)
            .Required("legalPerson", request.LegalPerson, 50);
        if (CreditCode.Problem(request.CreditCode) is { } problem) v.Add("creditCode", problem);
        v.ThrowIfInvalid();

        var account = await db.Set<Account>().SingleAsync(a => a.Id == actor.AccountId, ct);
        if (account.Verification == VerificationStatus.Verified)
            throw YunkeException.Conflict("alreadyVerified", "This account is already verified.");
        if (account.Verification == VerificationStatus.Pending)
            throw YunkeException.Conflict("verificationPending", "A verification is already waiting for review.");
        var code = CreditCode.Normalize(request.CreditCode!);
        if (await db.Set<EnterpriseVerification>().AnyAsync(e => e.CreditCode == code && e.Status == VerificationStatus.Verified, ct))
            throw new YunkeException(Problem.Conflict, "creditCodeInUse", "Another account is already verified with this credit code.",
                new Dictionary<string, string[]> { ["creditCode"] = ["Another account is already verified with this credit code."] });

        var now = clock.GetUtcNow().UtcDateTime;
        var application = new EnterpriseVerification
        {
            AccountId = account.Id,
            EnterpriseName = request.EnterpriseName!.Trim(),
            CreditCode = code,
            LegalPerson = request.LegalPerson!.Trim(),
            SubmittedAt = now,
        };
        account.Verification = VerificationStatus.Pending;
        db.Add(application);
        db.Audit(actor, now, "verification.submitted", application.EnterpriseName, code);
        await db.SaveChangesAsync(ct);
        return application;
    }

    /// <summary>The account's latest application, if any.</summary>
    public Task<EnterpriseVerification?> LatestAsync(Actor actor, CancellationToken ct = default) =>
        db.Set<EnterpriseVerification>().AsNoTracking().Where(e => e.AccountId == actor.AccountId)
            .OrderByDescending(e => e.SubmittedAt).FirstOrDefaultAsync(ct);

    public Task<Page<EnterpriseVerification>> ListAsync(Actor actor, VerificationStatus? status, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var query = db.Set<EnterpriseVerification>().AsNoTracking();
        if (status is { } s) query = query.Where(e => e.Status == s);
        return query.OrderBy(e => e.SubmittedAt).ToPageAsync(page, e => e, ct);
    }

    public Task<EnterpriseVerification> ApproveAsync(Actor actor, Guid id, CancellationToken ct = default) =>
        ReviewAsync(actor, id, VerificationStatus.Verified, null, ct);

    public Task<EnterpriseVerification> RejectAsync(Actor actor, Guid id, string? reason, CancellationToken ct = default)
    {
        new Validation().Required("reason", reason, 500).ThrowIfInvalid();
        return ReviewAsync(actor, id, VerificationStatus.Rejected, reason!.Trim(), ct);
    }

    private async Task<EnterpriseVerification> ReviewAsync(Actor actor, Guid id, VerificationStatus verdict, string? reason, CancellationToken ct)
    {
        actor.Require(Roles.Operator);
        var application = await db.Set<EnterpriseVerification>().SingleOrDefaultAsync(e => e.Id == id, ct)
            ?? throw YunkeException.NotFound("The verification");
        if (application.Status != VerificationStatus.Pending)
            throw YunkeException.Rule("notPending", $"This verification was already reviewed: it is {application.Status.ToString().ToLowerInvariant()}.");
        var account = await db.Set<Account>().SingleAsync(a => a.Id == application.AccountId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        application.Status = verdict;
        application.Reason = reason;
        application.ReviewedAt = now;
        application.ReviewedBy = actor.Account;
        account.Verification = verdict;
        if (verdict == VerificationStatus.Verified) account.EnterpriseName = application.EnterpriseName;
        db.Audit(actor, now, verdict == VerificationStatus.Verified ? "verification.approved" : "verification.rejected",
            account.Name, reason ?? application.EnterpriseName);
        await db.SaveChangesAsync(ct);
        return application;
    }

}
