using System.Net;
using Yunke.Core.AgentStates;
using Yunke.Core.Calls;
using Yunke.Media.Sessions;
using Yunke.Sip.Messages;

namespace Yunke.Server.Telephony.Calls;

/// <summary>What the controller needs of a call in progress, inbound or outbound.</summary>
public interface IActiveCall
{
    Guid Id { get; }
    Guid TenantId { get; }
    CallDirection Direction { get; }
    /// <summary>The customer's number: the caller of an inbound call, the number dialled of an outbound one.</summary>
    string Customer { get; }
    /// <summary>Completes when the agent has let go of the call (wrap-up, busy or idle).</summary>
    Task AgentReleased { get; }
    /// <summary>A BYE came on the leg with this SIP Call-ID.</summary>
    void ByeOn(string sipCallId);
    void HangUp(HangupSide side);
    /// <summary>The talking part, once both legs answered; null before (and after).</summary>
    Conversation? Talk { get; }
    /// <summary>The host stops: an answered call is hung up on both sides, one not answered yet is refused.</summary>
    void EndForShutdown();
}

/// <summary>
/// An agent's dial-out (外呼): the agent's phone first (told to answer at once: the agent asked for the
/// call), then the customer through the trunk with the tenant's number as caller ID, then both joined.
/// Either side's BYE, or the workbench's hang-up, ends both legs.
/// </summary>
public sealed class OutboundCall(Guid tenantId, string agentId, string customer, string callerId, IPEndPoint trunk,
    CallServices services, TenantAgentStates states) : IActiveCall
{
    private readonly TaskCompletionSource<HangupSide> hungUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource agentReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AgentLeg? customerLeg;
    private DateTime? answeredAt;
    private string? recordingFile;
    private string? endedBecause;

    public Guid Id { get; } = Guid.CreateVersion7();
    public Guid TenantId => tenantId;
    public CallDirection Direction => CallDirection.Outbound;
    public string Customer => customer;
    public DateTime OfferedAt { get; } = services.Clock.GetUtcNow().UtcDateTime;
    public Task AgentReleased => agentReleased.Task;
    /// <summary>Raised when a leg starts, so its SIP Call-ID can be routed back to this call.</summary>
    public event Action<IActiveCall, AgentLeg>? LegStarted;

    public void ByeOn(string sipCallId) => HangUp(customerLeg?.CallId == sipCallId ? HangupSide.Caller : HangupSide.Agent);

    public void HangUp(HangupSide side) => hungUp.TrySetResult(side);

    public Conversation? Talk { get; private set; }

    private void EndByYunke(string reason)
    {
        endedBecause ??= reason;
        HangUp(HangupSide.Yunke);
    }

    public void EndForShutdown() => EndByYunke("the server shut down");

    /// <summary>Puts the agent in ringing for this call; throws the refusal (409) when the agent cannot take it.</summary>
    public Task OfferAsync() => states.ApplyAsync(agentId, AgentTrigger.Offer, Id);

    public async Task<CallRecord> RunAsync()
    {
        CallResult result;
        string reason;
        try
        {
            (result, reason) = await ConnectAsync();
        }
        catch (Exception e)
        {
            // Whatever broke (e.g. the RTP range ran out), the agent is not left ringing or talking and the call is recorded.
            services.Log.LogError(e, "Outbound call {CallId} failed", Id);
            if (states.Get(agentId).CallId == Id)
                await MoveAsync(states.Get(agentId).State == AgentState.Talking ? AgentTrigger.Hangup : AgentTrigger.Withdraw,
                    services.Clock.GetUtcNow().UtcDateTime);
            (result, reason) = (CallResult.Failed, e is RtpPortsExhaustedException ? "503 No Media Ports" : "500 Server Internal Error");
        }
        agentReleased.TrySetResult();
        var now = services.Clock.GetUtcNow().UtcDateTime;
        return new CallRecord
        {
            Id = Id, TenantId = tenantId, Direction = CallDirection.Outbound, Caller = callerId, Callee = customer, AgentId = agentId,
            OfferedAt = OfferedAt, AnsweredAt = answeredAt, EndedAt = now,
            WaitSeconds = (int)Math.Round(((answeredAt ?? now) - OfferedAt).TotalSeconds),
            TalkSeconds = answeredAt is { } a ? (int)Math.Round((now - a).TotalSeconds) : 0,
            Result = result, Reason = reason, RecordingFile = recordingFile,
        };
    }

    private async Task<(CallResult, string)> ConnectAsync()
    {
        await using var media = services.Media.Open();
        var phone = await services.Phones.FindAsync(tenantId, agentId);
        if (phone is null || phone.Contacts.Count == 0)
        {
            await MoveAsync(AgentTrigger.Withdraw);
            return (CallResult.Failed, "480 The agent's phone is not registered");
        }

        // The agent's phone: every registered contact, first to answer wins.
        var pending = new Dictionary<Task<SipResponse>, AgentLeg>();
        foreach (var contact in phone.Contacts)
        {
            var leg = new AgentLeg(services.Endpoint, contact.Flow, contact.Uri, phone.Number, services.Host, customer,
                media.OfferForAgent(contact.Browser), autoAnswerAfter: 0,
                services.Settings.SessionTimers, services.Clock);
            LegStarted?.Invoke(this, leg);
            pending[leg.InviteAsync()] = leg;
        }
        using var ringTime = new CancellationTokenSource(services.Settings.RingTimeout, services.Clock);
        var stopped = Task.WhenAny(Task.Delay(Timeout.Infinite, ringTime.Token), hungUp.Task);
        AgentLeg? agent = null;
        SipResponse? agentOk = null;
        while (agent is null && pending.Count > 0)
        {
            var done = await Task.WhenAny([.. pending.Keys, stopped]);
            if (done is not Task<SipResponse> invite || !pending.Remove(invite, out var leg)) break;
            if ((await invite).IsSuccess) (agent, agentOk) = (leg, await invite);
        }
        foreach (var (invite, leg) in pending)
        {
            _ = leg.CancelAsync();
            _ = invite.ContinueWith(t => { if (t.Result.IsSuccess) _ = leg.ByeAsync(); }, TaskContinuationOptions.OnlyOnRanToCompletion);
        }
        if (agent is null || AgentLeg.AnswerOf(agentOk!) is not { } agentAnswer || !media.AgentAnswered(agentAnswer))
        {
            if (agent is not null) _ = agent.ByeAsync();
            await MoveAsync(AgentTrigger.Withdraw);
            return (CallResult.Failed, "480 The agent's phone did not answer");
        }
        await MoveAsync(AgentTrigger.Answer);

        // The customer, through the trunk, showing the tenant's number.
        var flow = await services.Endpoint.Transports.OfType<Sip.Transports.SipUdpTransport>().First().GetFlowAsync(trunk);
        var target = SipUri.Parse($"sip:{customer}@{trunk}");
        customerLeg = new AgentLeg(services.Endpoint, flow, target, customer, trunk.Address.ToString(), callerId, media.OfferForCustomer(), null,
            services.Settings.SessionTimers, services.Clock);
        LegStarted?.Invoke(this, customerLeg);
        // While the customer's phone rings the agent hears it: the carrier's early media when it sends some (its
        // ringback, or "the number you dialled does not exist"), else Yunke's ringback tone.
        customerLeg.Ringing += provisional =>
        {
            if (AgentLeg.AnswerOf(provisional) is not { } early || !media.CustomerEarlyMedia(early)) media.RingbackToAgent();
        };
        var customerInvite = customerLeg.InviteAsync();
        if (await Task.WhenAny(customerInvite, hungUp.Task) != customerInvite)
        {
            // The agent gave up before the customer answered.
            _ = customerLeg.CancelAsync();
            _ = customerInvite.ContinueWith(t => { if (t.Result.IsSuccess) _ = customerLeg.ByeAsync(); }, TaskContinuationOptions.OnlyOnRanToCompletion);
            if (hungUp.Task.Result != HangupSide.Agent) _ = agent.ByeAsync();
            await MoveAsync(AgentTrigger.Hangup, services.Clock.GetUtcNow().UtcDateTime);
            return (CallResult.Abandoned, "the agent hung up before the customer answered");
        }
        var customerOk = await customerInvite;
        if (!customerOk.IsSuccess || AgentLeg.AnswerOf(customerOk) is not { } customerAnswer || !media.CustomerAnswered(customerAnswer))
        {
            if (customerOk.IsSuccess) _ = customerLeg.ByeAsync();
            _ = agent.ByeAsync();
            await MoveAsync(AgentTrigger.Hangup, services.Clock.GetUtcNow().UtcDateTime);
            return (CallResult.Failed, $"{customerOk.StatusCode} {customerOk.ReasonPhrase}");
        }
        answeredAt = services.Clock.GetUtcNow().UtcDateTime;
        var file = $"{Id:N}.wav";
        if (media.Start(services.Recordings.PathOf(file))) recordingFile = file;

        HangupSide side;
        await using (Talk = new Conversation(services, media, new TalkingLeg(customerLeg.Dialog!, customerAnswer, customerLeg.SessionTerms),
            new TalkingLeg(agent.Dialog!, agentAnswer, agent.SessionTerms), EndByYunke,
            () => services.Changes.Publish(tenantId, agentId)))
            side = await hungUp.Task;
        if (side != HangupSide.Caller) _ = customerLeg.ByeAsync();
        if (side != HangupSide.Agent) _ = agent.ByeAsync();
        // No queue, so no wrap-up time: the agent is idle again at once.
        await MoveAsync(AgentTrigger.Hangup, services.Clock.GetUtcNow().UtcDateTime);
        return (CallResult.Answered, side switch
        {
            HangupSide.Caller => "BYE from the customer",
            HangupSide.Agent => "BYE from the agent",
            HangupSide.Yunke => endedBecause!,
            _ => "hung up from the workbench",
        });
    }

    private async Task MoveAsync(AgentTrigger trigger, DateTime? until = null)
    {
        try { await states.ApplyAsync(agentId, trigger, Id, until); }
        catch (Exception e) { services.Log.LogWarning(e, "Outbound call {CallId}: agent {AgentId} could not {Trigger}", Id, agentId, trigger); }
        if (trigger != AgentTrigger.Answer) agentReleased.TrySetResult();
    }
}
