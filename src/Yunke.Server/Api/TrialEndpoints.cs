using Yunke.Core.Commercial;
using Yunke.Core.Common;
using Yunke.Core.Trials;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Free trial (seed chapter 2) and opening the service for commercial use, which ends it (chapter 3).</summary>
public static class TrialEndpoints
{
    public sealed record RejectRequest(string? Reason);

    public static void MapTrialEndpoints(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").RequireAuthorization(p => p.RequireRole(Roles.CloudAccount));

        me.MapPost("/trial-applications", async (TrialService.ApplicationInput body, TrialService trials, HttpContext http) =>
            {
                var application = await trials.ApplyAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/me/trial-applications/{application.Id}", application);
            })
            .WithSummary("Apply for a free trial (verified, not frozen, not restricted, privacy policy agreed, one open at a time).");

        me.MapGet("/trial-applications", (int? page, int? pageSize, TrialService trials, HttpContext http) =>
                trials.ListMineAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The account's trial applications.");

        me.MapPost("/service", async (CommercialUseService.OpenInput body, CommercialUseService service, HttpContext http) =>
                AccountEndpoints.AccountView.From(await service.OpenAsync(http.Actor(), body, http.RequestAborted)))
            .WithSummary("Open the service for commercial use (开通服务); ends the free trial. Answers the account.");

        var op = api.MapGroup("/operator/trial-applications").RequireAuthorization(p => p.RequireRole(Roles.Operator));

        op.MapGet("", (string? status, int? page, int? pageSize, TrialService trials, HttpContext http) =>
                trials.ListAsync(http.Actor(), QueryValues.Enum<TrialStatus>(status, "status"), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("Trial applications, oldest first (operator).");

        op.MapPost("/{id:guid}/approve", (Guid id, TrialService trials, HttpContext http) =>
                trials.ApproveAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("Approve: provisions a trial instance with an experience number, a few seats and a tenant admin (operator).");

        op.MapPost("/{id:guid}/reject", (Guid id, RejectRequest body, TrialService trials, HttpContext http) =>
                trials.RejectAsync(http.Actor(), id, body.Reason, http.RequestAborted))
            .WithSummary("Reject with a reason (operator).");
    }
}
