using Yunke.Core.Accounts;
using Yunke.Core.Common;
using Yunke.Core.Verification;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Enterprise verification (企业认证): the cloud account applies, the operator reviews.</summary>
public static class VerificationEndpoints
{
    public sealed record VerificationView(Guid Id, Guid AccountId, string EnterpriseName, string CreditCode, string LegalPerson,
        VerificationStatus Status, string? Reason, DateTime SubmittedAt, DateTime? ReviewedAt, string? ReviewedBy)
    {
        public static VerificationView From(EnterpriseVerification e) => new(e.Id, e.AccountId, e.EnterpriseName, e.CreditCode,
            e.LegalPerson, e.Status, e.Reason, e.SubmittedAt, e.ReviewedAt, e.ReviewedBy);
    }

    public sealed record ReasonRequest(string? Reason);

    public static void MapVerificationEndpoints(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me/enterprise-verification").RequireAuthorization(p => p.RequireRole(Roles.CloudAccount));
        me.MapPost("", async (VerificationService verification, VerificationService.Apply body, HttpContext http) =>
        {
            var created = await verification.ApplyAsync(http.Actor(), body, http.RequestAborted);
            return Results.Created("/api/v1/me/enterprise-verification", VerificationView.From(created));
        }).WithSummary("Apply for enterprise verification; answers status pending.");
        me.MapGet("", async (VerificationService verification, HttpContext http) =>
            await verification.LatestAsync(http.Actor(), http.RequestAborted) is { } latest
                ? Results.Ok(VerificationView.From(latest))
                : Results.Problem(ProblemMapping.Create(404, "notFound", "Not found.", "This account has not applied for verification.")))
            .WithSummary("The account's latest verification application.");

        var op = api.MapGroup("/operator/verifications").RequireAuthorization(p => p.RequireRole(Roles.Operator));
        op.MapGet("", async (VerificationService verification, HttpContext http, string? status, int? page, int? pageSize) =>
        {
            var result = await verification.ListAsync(http.Actor(), QueryValues.Enum<VerificationStatus>(status, "status"), PageRequest.From(page, pageSize), http.RequestAborted);
            return new Page<VerificationView>(result.Items.Select(VerificationView.From).ToList(), result.Total);
        }).WithSummary("Verification applications, oldest first; filter by status.");
        op.MapPost("/{id:guid}/approve", async (Guid id, VerificationService verification, HttpContext http) =>
            VerificationView.From(await verification.ApproveAsync(http.Actor(), id, http.RequestAborted)))
            .WithSummary("Approve: the account becomes verified.");
        op.MapPost("/{id:guid}/reject", async (Guid id, ReasonRequest body, VerificationService verification, HttpContext http) =>
            VerificationView.From(await verification.RejectAsync(http.Actor(), id, body.Reason, http.RequestAborted)))
            .WithSummary("Reject with a reason.");
    }
}
