using Yunke.Core.Calls;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Call records (话单) and their recordings.</summary>
public static class CallEndpoints
{
    public static void MapCallEndpoints(this RouteGroupBuilder api)
    {
        // An agent sees its own calls; supervisors and report readers the tenant's (the service narrows it).
        var calls = api.MapGroup("/calls").RequirePermission(Permissions.CallsMonitor, Permissions.ReportsView, Permissions.WorkbenchUse);

        calls.MapGet("", (DateTime? from, DateTime? to, int? page, int? pageSize, CallService service, HttpContext http) =>
                service.ListAsync(http.Actor(), from, to, PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("Call records offered in [from, to), newest first: caller, callee, queue, agent, times, wait and talk seconds, result, recording link.");

        calls.MapGet("/{id:guid}", (Guid id, CallService service, HttpContext http) =>
                service.GetAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("One call record.");

        calls.MapGet("/{id:guid}/recording", async (Guid id, CallService service, HttpContext http) =>
                TypedResults.PhysicalFile(await service.RecordingPathAsync(http.Actor(), id, http.RequestAborted), "audio/wav", $"{id}.wav"))
            .WithSummary("The call's recording: both directions mixed into one 8 kHz WAV.");
    }
}
