using Yunke.Core.Common;
using Yunke.Core.Numbers;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Number resources (seed chapter 3 step 4): purchase requests, own-number docking, the account's numbers.</summary>
public static class NumberEndpoints
{
    public sealed record FulfilRequest(IReadOnlyList<NumberService.FulfilledNumber>? Numbers);
    public sealed record RejectRequest(string? Reason);

    public static void MapNumberEndpoints(this RouteGroupBuilder api)
    {
        var mine = api.MapGroup("/numbers").RequireAuthorization(p => p.RequireRole(Roles.CloudAccount));

        mine.MapGet("", (int? page, int? pageSize, NumberService numbers, HttpContext http) =>
                numbers.ListMineAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The account's numbers: purchased, own and experience numbers, with status and prices.");

        mine.MapPost("/purchase-requests", async (NumberService.PurchaseRequestInput body, NumberService numbers, HttpContext http) =>
            {
                var request = await numbers.RequestPurchaseAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/numbers/purchase-requests/{request.Id}", request);
            })
            .WithIdempotency()
            .WithSummary("Ask the platform for numbers (申请购买号码).");

        mine.MapGet("/purchase-requests", (int? page, int? pageSize, NumberService numbers, HttpContext http) =>
                numbers.ListOwnRequestsAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The account's number purchase requests.");

        mine.MapPost("/own", async (NumberService.OwnNumberInput body, NumberService numbers, HttpContext http) =>
            {
                var number = await numbers.DockOwnAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/numbers/{number.Id}", number);
            })
            .WithIdempotency()
            .WithSummary("Ask the platform to dock an own number (申请对接自有号码); dockingStatus starts as docking.");

        var op = api.MapGroup("/operator").RequireAuthorization(p => p.RequireRole(Roles.Operator));

        op.MapGet("/number-requests", (string? status, int? page, int? pageSize, NumberService numbers, HttpContext http) =>
                numbers.ListRequestsForOperatorAsync(http.Actor(), QueryValues.Enum<RequestStatus>(status, "status"),
                    PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("Number purchase requests of every account, oldest first (operator).");

        op.MapPost("/number-requests/{id:guid}/fulfil", (Guid id, FulfilRequest body, NumberService numbers, HttpContext http) =>
                numbers.FulfilAsync(http.Actor(), id, body.Numbers, http.RequestAborted))
            .WithSummary("Fulfil a request with numbers; they become the account's and orderable (operator).");

        op.MapPost("/number-requests/{id:guid}/reject", (Guid id, RejectRequest body, NumberService numbers, HttpContext http) =>
                numbers.RejectAsync(http.Actor(), id, body.Reason, http.RequestAborted))
            .WithSummary("Reject a request with a reason (operator).");

        op.MapGet("/own-numbers", (string? dockingStatus, int? page, int? pageSize, NumberService numbers, HttpContext http) =>
                numbers.ListOwnDockingAsync(http.Actor(), QueryValues.Enum<DockingStatus>(dockingStatus, "dockingStatus"),
                    PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("Own numbers to dock, oldest first (operator).");

        op.MapPost("/own-numbers/{id:guid}/complete", (Guid id, NumberService numbers, HttpContext http) =>
                numbers.CompleteDockingAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("Docking finished: the own number can go on an instance (operator).");
    }
}
