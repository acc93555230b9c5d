using System.Net.WebSockets;
using System.Text.Json;
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
    /// <summary>The agent's state; while talking, whether the call is on hold and whether the agent is muted.</summary>
    public sealed record StateView(string AgentId, AgentState State, Guid? CallId, DateTime Since, DateTime? Until)
    {
        public bool Held { get; init; }
        public bool Muted { get; init; }

        public static StateView From(AgentStatus s) => new(s.AgentId, s.State, s.CallId, s.Since, s.Until);

        /// <summary>The state with what the agent's call in progress adds to it.</summary>
        public static StateView From(AgentCalls.Desk desk) => From(desk.Status) with { Held = desk.Held, Muted = desk.Muted };
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
        agent.MapGet("/events", async (Workbench workbench, HttpContext http, IOptions<JsonOptions> json) =>
        {
            var (states, agentId) = await workbench.OwnAsync(http.Actor(), http.RequestAborted);
            using var subscription = states.Subscribe(agentId);
            await StreamAsync(http, subscription, StateView.From(states.Get(agentId)), json.Value.SerializerOptions);
        }).WithSummary("WebSocket: the agent's current state, then every change of it, as JSON.");

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

    private static async Task StreamAsync(HttpContext http, TenantAgentStates.Subscription subscription, StateView? first, JsonSerializerOptions json)
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
            await foreach (var change in subscription.ReadAllAsync(stop.Token))
                await SendAsync(socket, new { type = "agentStateChanged", change }, json, stop.Token);
        }
        catch (OperationCanceledException) { }
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
