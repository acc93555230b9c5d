using Yunke.Core.Common;
using Yunke.Core.Offerings;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>The catalog of billing modes, specs and seat prices: anyone reads it, the operator changes it.</summary>
public static class OfferingEndpoints
{
    public static void MapOfferingEndpoints(this RouteGroupBuilder api, RouteGroupBuilder open)
    {
        open.MapGet("/offerings", (OfferingService offerings, HttpContext http) => offerings.GetAsync(http.RequestAborted))
            .WithSummary("Billing modes, specs, seat prices and the trial offer, with Chinese and English names.");

        api.MapPut("/operator/offerings", (Catalog body, OfferingService offerings, HttpContext http) =>
                offerings.ReplaceAsync(http.Actor(), body, http.RequestAborted))
            .RequireAuthorization(p => p.RequireRole(Roles.Operator))
            .WithSummary("Replace the catalog (operator).");
    }
}
