using System.Collections.Concurrent;
using Yunke.Core.Acd;
using Yunke.Core.AgentStates;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Calls;
using Yunke.Core.Common;
using Yunke.Core.Registrations;
using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// Routes calls: an INVITE to an access code becomes a <see cref="Call"/> through the called route's skill
/// queue; in-dialog requests (ACK, BYE, CANCEL) find their call by SIP Call-ID, whichever leg they belong to;
/// the workbench finds an agent's call through the agent's state. Writes each call's record when it ends.
/// As a hosted service stopped before SIP and the agent states, it ends the calls in progress when the host stops,
/// so phones get their BYE, agents are released and records are written.
/// </summary>
public sealed class CallController(CallServices services, AgentStateHub hub, SoftphoneDirectory softphones, CallTargets targets,
    CallAdmission admission, IServiceScopeFactory scopes, ILogger<CallController> log) : IHostedService
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, Task> running = new();
    private readonly ConcurrentDictionary<string, IActiveCall> bySipCallId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, IActiveCall> byId = new();
    // The other way round, so a call that ends takes its own SIP Call-IDs out without a scan of every call's.
    private readonly ConcurrentDictionary<Guid, List<string>> sipCallIdsOf = new();
    private readonly CallRecordWriter records = new(scopes, log);

    /// <summary>Calls in progress, for dashboards and tests.</summary>
    public int ActiveCount => byId.Count;

    public async Task InviteAsync(SipIncomingRequest incoming)
    {
        if (incoming.Request.To?.Tag is not null)
        {
            InDialog(incoming);
            return;
        }
        if (services.Settings.SessionTimers.TooSmall(incoming.Request) is { } min)
        {
            // RFC 4028 8.1: the caller may try again with our Min-SE.
            var refusal = incoming.CreateResponse(422, "Session Interval Too Small");
            refusal.Headers.Add(SessionExpires.MinHeader, min.ToString(System.Globalization.CultureInfo.InvariantCulture));
            incoming.Respond(refusal);
            return;
        }
        var caller = new InboundLeg(incoming, services.Endpoint, services.Clock);
        var route = await RouteAsync(caller.Dialled);
        if (route is null)
        {
            await RefuseUnroutedAsync(caller);
            return;
        }
        var (tenantId, _, queue) = route;
        if (admission.RefusalFor(ActiveCount) is { } full)
        {
            caller.Refuse(503, full, CallAdmission.RetryAfter);
            RecordRefusal(tenantId, caller, CallResult.Rejected, $"503 {full}");
            return;
        }
        if (queue is null)
        {
            caller.Refuse(480, "IVR Not Available");
            RecordRefusal(tenantId, caller, CallResult.Rejected, "480 IVR Not Available");
            return;
        }
        if (caller.Offer is { } offer ? !CallCodecs.Acceptable(offer) : !caller.LateOffer)
        {
            var phrase = caller.Offer is null ? "Not An SDP Offer" : "No Common Codec";
            caller.Refuse(488, phrase);
            RecordRefusal(tenantId, caller, CallResult.Rejected, $"488 {phrase}");
            return;
        }

        var call = new Call(tenantId, caller, queue, services, await hub.ForTenantAsync(tenantId));
        call.AgentLegStarted += (c, leg) => Index(c, leg.CallId);
        Index(call, caller.CallId);
        await TrackAsync(call, call.RunAsync);
    }

    /// <summary>
    /// The agent's dial-out: the agent is put in ringing for it at once (refused with 409 when it is in a call or
    /// signed out), the rest goes on in the background.
    /// </summary>
    public async Task DialAsync(TenantAgentStates states, string agentId, string customer, string callerId)
    {
        if (services.Settings.Trunk is not { } trunk)
            throw YunkeException.Rule("noTrunk", "No outbound trunk is configured (Yunke:Sip:Trunk): calls to customers cannot leave Yunke.");
        if (admission.RefusalFor(ActiveCount) is { } full)
            throw YunkeException.Unavailable("callCapacity", $"Yunke takes no more calls for now ({full}); try again in a few seconds.");
        var call = new OutboundCall(states.TenantId, agentId, customer, callerId, trunk, services, states);
        call.LegStarted += (c, leg) => Index(c, leg.CallId);
        await call.OfferAsync();
        _ = TrackAsync(call, call.RunAsync);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var call in byId.Values) call.EndForShutdown();
        try { await Task.WhenAll(running.Values).WaitAsync(ShutdownGrace, cancellationToken); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            log.LogWarning("{Count} calls were still ending when the host stopped", running.Count);
        }
        await records.DisposeAsync();
    }

    private Task TrackAsync(IActiveCall call, Func<Task<CallRecord>> run)
    {
        var tracked = RunAndRecordAsync(call, run);
        running[call.Id] = tracked;
        _ = tracked.ContinueWith(_ => running.TryRemove(call.Id, out var _), TaskScheduler.Default);
        return tracked;
    }

    private async Task RunAndRecordAsync(IActiveCall call, Func<Task<CallRecord>> run)
    {
        byId[call.Id] = call;
        CallRecord record;
        try
        {
            record = await run();
        }
        finally
        {
            byId.TryRemove(call.Id, out _);
            if (sipCallIdsOf.TryRemove(call.Id, out var sipCallIds))
                lock (sipCallIds)
                    foreach (var sipCallId in sipCallIds) bySipCallId.TryRemove(new KeyValuePair<string, IActiveCall>(sipCallId, call));
        }
        records.Write(record);
    }

    private void Index(IActiveCall call, string sipCallId)
    {
        bySipCallId[sipCallId] = call;
        var sipCallIds = sipCallIdsOf.GetOrAdd(call.Id, _ => []);
        lock (sipCallIds) sipCallIds.Add(sipCallId);
    }

    /// <summary>
    /// A re-INVITE or UPDATE inside a call (a phone holds, resumes, moves its media or refreshes the session): the
    /// conversation answers it. Before both legs are talking there is nothing to change yet: 491, try again later.
    /// </summary>
    public void InDialog(SipIncomingRequest incoming)
    {
        var callId = incoming.Request.CallId!;
        if (!bySipCallId.TryGetValue(callId, out var call))
        {
            incoming.Respond(481, "Call/Transaction Does Not Exist");
            return;
        }
        if (call.Talk is not { } talk || !talk.Has(callId))
        {
            incoming.Respond(491, "Request Pending");
            return;
        }
        talk.OnRequest(callId, incoming);
    }

    /// <summary>
    /// An ACK for a 2xx: the caller's for its INVITE, or a phone's for our 2xx to its re-INVITE (ACKs for error
    /// answers end in their transaction and never come here).
    /// </summary>
    public void Ack(SipIncomingRequest incoming)
    {
        var ack = incoming.Request;
        if (!bySipCallId.TryGetValue(ack.CallId!, out var call)) return;
        if (call is Call inbound && inbound.Caller.CallId == ack.CallId && ack.CSeq?.Number == inbound.Caller.Invite.CSeq?.Number)
            inbound.Caller.Acknowledged(ack);
        else call.Talk?.OnAck(ack.CallId!, ack);
    }

    public void Bye(SipIncomingRequest incoming)
    {
        if (!bySipCallId.TryGetValue(incoming.Request.CallId!, out var call))
        {
            incoming.Respond(481, "Call/Transaction Does Not Exist");
            return;
        }
        incoming.Respond(200, "OK");
        call.ByeOn(incoming.Request.CallId!);
    }

    public void Cancel(SipIncomingRequest incoming)
    {
        if (!bySipCallId.TryGetValue(incoming.Request.CallId!, out var found) || found is not Call call || call.Caller.CallId != incoming.Request.CallId)
        {
            incoming.Respond(481, "Call/Transaction Does Not Exist");
            return;
        }
        // 200 for the CANCEL itself, then 487 for the INVITE (RFC 3261 9.2).
        incoming.Respond(200, "OK");
        call.CallerCancelled();
    }

    /// <summary>The call the agent's state names (ringing or talking), if it is one of ours.</summary>
    public IActiveCall? OfAgent(TenantAgentStates states, string agentId) =>
        states.Get(agentId).CallId is { } id && byId.TryGetValue(id, out var call) && call.TenantId == states.TenantId ? call : null;

    private async Task<CallTarget?> RouteAsync(string dialled) =>
        AccessCodes.IsWellFormed(dialled) ? await targets.FindAsync(dialled) : null;

    /// <summary>
    /// A number with no route: a softphone number is refused outright (seed: a direct call to a phone that is
    /// not in a call hangs up), anything else is unknown.
    /// </summary>
    private async Task RefuseUnroutedAsync(InboundLeg caller)
    {
        if (await softphones.FindAsync(caller.Dialled) is { } phone)
        {
            caller.Refuse(403, "Softphones Take No Direct Calls");
            RecordRefusal(phone.TenantId, caller, CallResult.Rejected, "403 Softphones Take No Direct Calls");
            return;
        }
        caller.Refuse(404, "No Such Number");
    }

    private void RecordRefusal(Guid tenantId, InboundLeg caller, CallResult result, string reason)
    {
        var now = services.Clock.GetUtcNow().UtcDateTime;
        records.Write(new CallRecord
        {
            TenantId = tenantId, Direction = CallDirection.Inbound, Caller = caller.Caller, Callee = caller.Dialled,
            OfferedAt = now, EndedAt = now, Result = result, Reason = reason, SipCallId = caller.CallId,
        });
    }
}
