using Yunke.Core.CalledRoutes;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Called-number routing (seed chapter 4 step 4).</summary>
public static class CalledRouteEndpoints
{
    public static void MapCalledRouteEndpoints(this RouteGroupBuilder api)
    {
        var routes = api.MapGroup("/called-routes").RequirePermission(Permissions.RoutingManage);

        routes.MapPost("", async (CalledRouteService.RouteInput body, CalledRouteService service, HttpContext http) =>
            {
                var route = await service.CreateAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/called-routes/{route.Id}", route);
            })
            .WithSummary("Route an access code (an instance number, optionally with extension digits) to a skill queue or an IVR robot.");

        routes.MapGet("", (int? page, int? pageSize, CalledRouteService service, HttpContext http) =>
                service.ListAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The instance's called routes.");

        routes.MapGet("/{id:guid}", (Guid id, CalledRouteService service, HttpContext http) =>
                service.GetAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("One called route.");

        routes.MapDelete("/{id:guid}", async (Guid id, CalledRouteService service, HttpContext http) =>
            {
                await service.DeleteAsync(http.Actor(), id, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete a called route.");
    }
}
