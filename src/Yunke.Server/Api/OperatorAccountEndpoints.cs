using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>The operator's accounts list and standing changes, and the audit log.</summary>
public static class OperatorAccountEndpoints
{
    public sealed record StandingRequest(string? Reason);

    public static void MapOperatorAccountEndpoints(this RouteGroupBuilder api)
    {
        var op = api.MapGroup("/operator/accounts").RequireAuthorization(p => p.RequireRole(Roles.Operator));
        op.MapGet("", async (AccountStanding standing, HttpContext http, string? kind, string? q, int? page, int? pageSize) =>
        {
            var result = await standing.ListAsync(http.Actor(), QueryValues.Enum<AccountKind>(kind, "kind"), q, PageRequest.From(page, pageSize), http.RequestAborted);
            return new Page<AccountEndpoints.AccountView>(result.Items.Select(AccountEndpoints.AccountView.From).ToList(), result.Total);
        }).WithSummary("All accounts, newest first; filter by kind or a search text.");
        op.MapGet("/{id:guid}", async (Guid id, AccountStanding standing, HttpContext http) =>
            AccountEndpoints.AccountView.From(await standing.GetAsync(http.Actor(), id, http.RequestAborted)));

        foreach (var change in Enum.GetValues<AccountStanding.Change>())
        {
            var path = "/{id:guid}/" + change.ToString().ToLowerInvariant();
            op.MapPost(path, async (Guid id, StandingRequest? body, AccountStanding standing, HttpContext http) =>
                AccountEndpoints.AccountView.From(await standing.ApplyAsync(http.Actor(), id, change, body?.Reason, http.RequestAborted)))
                .WithSummary($"{change} the account.");
        }

        api.MapGet("/audit", async (AuditLog audit, HttpContext http, string? action, int? page, int? pageSize) =>
            await audit.ListAsync(http.Actor(), PageRequest.From(page, pageSize), action, http.RequestAborted))
            .RequireAuthorization(p => p.RequireRole(Roles.Operator, Roles.TenantAdmin))
            .WithSummary("The audit log: all of it for the operator, its own tenant's part for a tenant admin.");
    }
}
