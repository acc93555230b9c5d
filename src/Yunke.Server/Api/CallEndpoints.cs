using Yunke.Core.AgentStates;
using Yunke.Core.Calls;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;
using Yunke.Server.Telephony.Calls;

namespace Yunke.Server.Api;

/// <summary>Call records (话单) and their recordings.</summary>
public static class CallEndpoints
{
    public sealed record DialRequest(string? Number, string? MediaType);

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

        var agent = api.MapGroup("/agent").RequirePermission(Permissions.WorkbenchUse);
        agent.MapPost("/answer", async (Workbench workbench, CallController calls, HttpContext http) =>
            {
                var (states, agentId) = await workbench.OwnAsync(http.Actor(), http.RequestAborted);
                if (states.Get(agentId).State != AgentState.Ringing || calls.OfAgent(states, agentId) is not Call call || !call.AnswerFromWorkbench())
                    throw YunkeException.Conflict("noCallToAnswer", "The agent's phone is not ringing.");
                return WorkbenchEndpoints.StateView.From(states.Get(agentId));
            })
            .WithSummary("Answer the ringing call: the agent's phone is called again with answer-after=0, so it picks up at once.");
        agent.MapPost("/hangup", async (Workbench workbench, CallController calls, HttpContext http) =>
            {
                var (states, agentId) = await workbench.OwnAsync(http.Actor(), http.RequestAborted);
                var state = states.Get(agentId).State;
                if (state is not (AgentState.Ringing or AgentState.Talking) || calls.OfAgent(states, agentId) is not { } call)
                    throw YunkeException.Conflict("noCall", "The agent has no call to hang up.");
                if (state == AgentState.Ringing && call is Call inbound) inbound.RejectFromWorkbench();
                else call.HangUp(HangupSide.Api);
                // Answer with the state the call left the agent in (wrap-up after a talk, busy after a refusal).
                await call.AgentReleased.WaitAsync(TimeSpan.FromSeconds(10), http.RequestAborted);
                return WorkbenchEndpoints.StateView.From(states.Get(agentId));
            })
            .WithSummary("Hang up the agent's call (both legs end, wrap-up follows), or decline the ringing one (it goes to the next agent, this one is set busy).");
        agent.MapPost("/hold", (Workbench workbench, CallController calls, HttpContext http) =>
                ControlAsync(workbench, calls, http, talk => talk.Hold() ? null : ("alreadyHeld", "The call is already on hold.")))
            .WithSummary("Hold the call: the customer hears hold music (re-INVITE sendonly), the agent's phone is set inactive, no audio passes; the agent stays talking.");
        agent.MapPost("/unhold", (Workbench workbench, CallController calls, HttpContext http) =>
                ControlAsync(workbench, calls, http, talk => talk.Unhold() ? null : ("notHeld", "The call is not on hold from the workbench.")))
            .WithSummary("Resume the held call: both phones are offered sendrecv again and audio passes both ways.");
        agent.MapPost("/mute", (Workbench workbench, CallController calls, HttpContext http) =>
                ControlAsync(workbench, calls, http, talk => { talk.Mute(true); return null; }))
            .WithSummary("Mute the agent: the customer stops hearing the agent; the agent still hears the customer.");
        agent.MapPost("/unmute", (Workbench workbench, CallController calls, HttpContext http) =>
                ControlAsync(workbench, calls, http, talk => { talk.Mute(false); return null; }))
            .WithSummary("Unmute the agent: the customer hears the agent again.");
        agent.MapPost("/dial", async (DialRequest body, Workbench workbench, CallController calls, CallService service, HttpContext http) =>
            {
                var (states, agentId) = await workbench.OwnAsync(http.Actor(), http.RequestAborted);
                var number = body.Number?.Trim();
                new Validation()
                    .Check("number", number is not null && System.Text.RegularExpressions.Regex.IsMatch(number, @"^\+?[0-9]{3,32}$"),
                        "number must be a phone number: 3 to 32 digits, optionally with a leading +.")
                    .Check("mediaType", body.MediaType is null or "audio", "mediaType must be audio: video calls come later.")
                    .ThrowIfInvalid();
                var callerId = await service.CallerIdAsync(states.TenantId, http.RequestAborted);
                await calls.DialAsync(states, agentId, number!, callerId);
                return WorkbenchEndpoints.StateView.From(states.Get(agentId));
            })
            .WithSummary("Call a customer: the agent's phone rings first (and answers at once), then the customer is called through the trunk with the instance's number as caller ID.");
    }

    /// <summary>A change to the agent's talking call; the change names the refusal (409) when it does not apply.</summary>
    private static async Task<WorkbenchEndpoints.StateView> ControlAsync(Workbench workbench, CallController calls, HttpContext http,
        Func<Conversation, (string Code, string Message)?> change)
    {
        var (states, agentId) = await workbench.OwnAsync(http.Actor(), http.RequestAborted);
        if (states.Get(agentId).State != AgentState.Talking || calls.OfAgent(states, agentId)?.Talk is not { IsOver: false } talk)
            throw YunkeException.Conflict("noCallInProgress", "The agent is not talking on a call.");
        if (change(talk) is { } refused) throw YunkeException.Conflict(refused.Code, refused.Message);
        return WorkbenchEndpoints.StateView.From(states.Get(agentId), talk);
    }
}
