using Yunke.Core.Calls;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;
using Yunke.Server.Telephony.Calls;
using static Yunke.Server.Api.WorkbenchEndpoints;

namespace Yunke.Server.Api;

/// <summary>Call records (话单) and their recordings.</summary>
public static class CallEndpoints
{
    public sealed record DialRequest(string? Number, string? MediaType);

    public static void MapCallEndpoints(this RouteGroupBuilder api)
    {
        // An agent sees its own calls; supervisors and report readers the tenant's (the service narrows it).
        var calls = api.MapGroup("/calls").RequirePermission([.. CallService.ReadPermissions]);

        calls.MapGet("", (DateTime? from, DateTime? to, int? page, int? pageSize, CallService service, HttpContext http) =>
                service.ListAsync(http.Actor(), from, to, PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("Call records offered in [from, to), newest first: caller, callee, queue, agent, times, wait and talk seconds, result, recording link.");

        calls.MapGet("/{id:guid}", (Guid id, CallService service, HttpContext http) =>
                service.GetAsync(http.Actor(), id, http.RequestAborted))
            .WithSummary("One call record.");

        calls.MapGet("/{id:guid}/recording", async (Guid id, CallService service, HttpContext http) =>
                TypedResults.PhysicalFile(await service.RecordingPathAsync(http.Actor(), id, http.RequestAborted), "audio/wav", $"{id}.wav"))
            .WithSummary("The call's recording: both directions mixed into one 8 kHz WAV.");

        var agent = api.MapGroup("/agent").RequirePermission(Permissions.WorkbenchUse);
        agent.MapPost("/answer", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.AnswerAsync(http.Actor(), http.RequestAborted)))
            .WithSummary("Answer the ringing call: the agent's phone is called again with answer-after=0, so it picks up at once.");
        agent.MapPost("/hangup", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.HangUpAsync(http.Actor(), http.RequestAborted)))
            .WithSummary("Hang up the agent's call (both legs end, wrap-up follows), or decline the ringing one (it goes to the next agent, this one is set busy).");
        agent.MapPost("/hold", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.HoldAsync(http.Actor(), http.RequestAborted)))
            .WithSummary("Hold the call: the customer hears hold music (re-INVITE sendonly), the agent's phone is set inactive, no audio passes; the agent stays talking.");
        agent.MapPost("/unhold", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.UnholdAsync(http.Actor(), http.RequestAborted)))
            .WithSummary("Resume the held call: both phones are offered sendrecv again and audio passes both ways.");
        agent.MapPost("/mute", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.MuteAsync(http.Actor(), true, http.RequestAborted)))
            .WithSummary("Mute the agent: the customer stops hearing the agent; the agent still hears the customer.");
        agent.MapPost("/unmute", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.MuteAsync(http.Actor(), false, http.RequestAborted)))
            .WithSummary("Unmute the agent: the customer hears the agent again.");
        agent.MapPost("/dial", async (DialRequest body, AgentCalls control, HttpContext http) =>
                StateView.From(await control.DialAsync(http.Actor(), body.Number, body.MediaType, http.RequestAborted)))
            .WithSummary("Call a customer: the agent's phone rings first (and answers at once), then the customer is called through the trunk with the instance's number as caller ID.");
    }
}
