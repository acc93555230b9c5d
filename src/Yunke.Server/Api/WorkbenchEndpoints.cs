using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Yunke.Core.Agents;
using Yunke.Core.AgentStates;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;
using Yunke.Server.Telephony.Calls;

namespace Yunke.Server.Api;

/// <summary>The agent workbench's state bar and its live events; the supervisors' view of all agents.</summary>
public static class WorkbenchEndpoints
{
    /// <summary>The agent's state; with its call (customer, direction, held, muted) while ringing or talking.</summary>
    public sealed record StateView(string AgentId, AgentState State, Guid? CallId, DateTime Since, DateTime? Until)
    {
        public bool Held { get; init; }
        public bool Muted { get; init; }
        public AgentCalls.CurrentCall? Call { get; init; }

        public static StateView From(AgentStatus s) => new(s.AgentId, s.State, s.CallId, s.Since, s.Until);

        /// <summary>The state with what the agent's call in progress adds to it.</summary>
        public static StateView From(AgentCalls.Desk desk) => From(desk.Status) with { Held = desk.Held, Muted = desk.Muted, Call = desk.Call };
    }

    public sealed record RestRequest(int? Minutes);

    public static void MapWorkbenchEndpoints(this RouteGroupBuilder api)
    {
        var agent = api.MapGroup("/agent").RequirePermission(Permissions.WorkbenchUse);
        agent.MapGet("/state", async (AgentCalls control, HttpContext http) =>
                StateView.From(await control.StateAsync(http.Actor(), http.RequestAborted)))
            .WithSummary("The agent's state: signedOut, idle, busy, rest, ringing, talking or wrapUp; held and muted while talking.");
        foreach (var (path, trigger) in new[] { ("sign-in", AgentTrigger.SignIn), ("sign-out", AgentTrigger.SignOut),
                     ("ready", AgentTrigger.Ready), ("not-ready", AgentTrigger.NotReady) })
            agent.MapPost("/" + path, async (Workbench workbench, HttpContext http) =>
                StateView.From(await workbench.ChangeAsync(http.Actor(), trigger, ct: http.RequestAborted)))
                .WithSummary($"{trigger}: the agent's own state change.");
        agent.MapPost("/rest", async (RestRequest body, Workbench workbench, HttpContext http) =>
            StateView.From(await workbench.ChangeAsync(http.Actor(), AgentTrigger.Rest, body.Minutes, http.RequestAborted)))
            .WithSummary("Rest for some minutes; the agent is idle again when they are over.");
        agent.MapGet("/softphone", (SoftphoneService service, HttpContext http) => service.GetMineAsync(http.Actor(), http.RequestAborted))
            .WithSummary("The agent's own softphone: number, registrars, registrations, and unifiedAuthentication (the browser phone may then register on this session).");
        agent.MapGet("/events", async (Workbench workbench, AgentCalls control, CallChanges changes, HttpContext http, IOptions<JsonOptions> json) =>
        {
            var (states, agentId) = await workbench.OwnAsync(http.Actor(), http.RequestAborted);
            using var subscription = states.Subscribe(agentId);
            using var callChanges = changes.Subscribe(states.TenantId, agentId);
            await StreamAsync(http, subscription, StateView.From(control.DeskOf(states, agentId)), json.Value.SerializerOptions,
                new AgentCall(callChanges, () => control.DeskOf(states, agentId).Call));
        }).WithSummary("WebSocket: the agent's current state, then every change of it and of its call (held, muted), as JSON.");

        api.MapGet("/agents/states", async (Workbench workbench, HttpContext http) =>
            (await workbench.TenantStatesAsync(http.Actor(), http.RequestAborted)).Select(StateView.From))
            .RequirePermission(Permissions.CallsMonitor)
            .WithSummary("Every agent's live state, for supervisors.");
        api.MapGet("/agents/events", async (Workbench workbench, HttpContext http, IOptions<JsonOptions> json) =>
        {
            var states = await workbench.SupervisedAsync(http.Actor(), http.RequestAborted);
            using var subscription = states.Subscribe();
            await StreamAsync(http, subscription, null, json.Value.SerializerOptions);
        }).RequirePermission(Permissions.CallsMonitor)
            .WithSummary("WebSocket: every agent state change of the tenant, for supervisors.");
    }

    /// <summary>An agent's call for its live events: the signal that it changed, and how it is now.</summary>
    private sealed record AgentCall(CallChanges.Subscription Changes, Func<AgentCalls.CurrentCall?> Now);

    /// <summary>
    /// Streams state changes; with <paramref name="call"/>, also {type: "call", call} whenever the agent's call changed
    /// (held, resumed, muted, unmuted) and after each change into ringing or talking, so the client knows who is calling.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, TenantAgentStates.Subscription subscription, StateView? first, JsonSerializerOptions json,
        AgentCall? call = null)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(ProblemMapping.Create(400, "webSocketRequired", "This is a WebSocket endpoint.",
                "Connect with a WebSocket (the token may be passed as ?access_token=).")).ExecuteAsync(http);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var closed = WatchCloseAsync(socket);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, closed.Token);
        try
        {
            if (first is not null) await SendAsync(socket, new { type = "agentState", state = first }, json, stop.Token);
            var nextState = subscription.ReadAsync(stop.Token);
            var nextCall = call?.Changes.Reader.ReadAsync(stop.Token).AsTask() ?? new TaskCompletionSource<bool>().Task; // supervisors: states only
            while (true)
            {
                if (await Task.WhenAny(nextState, nextCall) == nextState)
                {
                    var change = await nextState;
                    await SendAsync(socket, new { type = "agentStateChanged", change }, json, stop.Token);
                    if (call is not null && change.To is AgentState.Ringing or AgentState.Talking && call.Now() is { } now)
                        await SendAsync(socket, new { type = "call", call = now }, json, stop.Token);
                    nextState = subscription.ReadAsync(stop.Token);
                }
                else
                {
                    await nextCall;
                    if (call!.Now() is { } now) await SendAsync(socket, new { type = "call", call = now }, json, stop.Token);
                    nextCall = call.Changes.Reader.ReadAsync(stop.Token).AsTask();
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (ChannelClosedException) { }
        catch (WebSocketException) { }
        // Completes the closing handshake, whichever side started it.
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
    }

    /// <summary>Reads until the client closes, so a gone client ends the stream at once.</summary>
    private static CancellationTokenSource WatchCloseAsync(WebSocket socket)
    {
        var closed = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                    if ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType == WebSocketMessageType.Close) break;
            }
            catch (WebSocketException) { }
            await closed.CancelAsync();
        });
        return closed;
    }

    private static Task SendAsync(WebSocket socket, object message, JsonSerializerOptions json, CancellationToken ct) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, json), WebSocketMessageType.Text, true, ct);
}
