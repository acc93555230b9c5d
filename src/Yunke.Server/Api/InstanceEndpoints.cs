using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>The new-instance wizard (seed chapter 3 step 5), the account's instances and its orders (我的订单).</summary>
public static class InstanceEndpoints
{
    public static void MapInstanceEndpoints(this RouteGroupBuilder api)
    {
        var mine = api.MapGroup("").RequireAuthorization(p => p.RequireRole(Roles.CloudAccount));

        mine.MapPost("/instances/quote", (InstanceService.InstanceInput body, InstanceService instances, HttpContext http) =>
                instances.QuoteAsync(http.Actor(), body, http.RequestAborted))
            .WithSummary("Itemised price of an instance: spec fee, seats, number rent, discount.");

        mine.MapPost("/instances", async (InstanceService.InstanceInput body, InstanceService instances, HttpContext http) =>
            {
                var instance = await instances.CreateAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/instances/{instance.Id}", instance);
            })
            .WithIdempotency()
            .WithSummary("Create an instance, its order and its tenant admin; answers the admin's one-time password. Honours Idempotency-Key.");

        mine.MapGet("/instances", (int? page, int? pageSize, InstanceService instances, HttpContext http) =>
                instances.ListMineAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The account's call center instances.");

        mine.MapGet("/instances/{id:guid}", (Guid id, InstanceService instances, HttpContext http) =>
                instances.GetMineAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("One of the account's instances.");

        mine.MapPost("/instances/{id:guid}/tenant-admin/password", (Guid id, InstanceService instances, HttpContext http) =>
                instances.ResetTenantAdminPasswordAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("A new one-time password for the instance's tenant admin, who must change it at sign-in.");

        mine.MapGet("/orders", (int? page, int? pageSize, InstanceService instances, HttpContext http) =>
                instances.ListOrdersAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("My orders.");

        mine.MapGet("/orders/{id:guid}", (Guid id, InstanceService instances, HttpContext http) =>
                instances.GetOrderAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("One of my orders.");
    }
}
