using Yunke.Core.Acd;
using Yunke.Core.AgentStates;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Calls;
using Yunke.Media.Sessions;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>Who ended a talking call: a phone's BYE, the workbench, or Yunke itself (a dead call, an expired session).</summary>
public enum HangupSide { Caller, Agent, Api, Yunke }

/// <summary>
/// One inbound call through a skill queue, as one sequence: answer the caller with early media and ringback,
/// wait in the queue, ring the chosen agent's phones,
/// on no answer set the agent busy and wait again in the same place, on answer join the legs, and end both
/// legs when either side hangs up. Signals from outside (the caller's CANCEL or BYE, the agent's BYE, the
/// workbench's answer or hang-up) only complete tasks this sequence awaits, so all decisions are taken here.
/// </summary>
public sealed class Call(Guid tenantId, InboundLeg caller, CalledQueue queue, CallServices services, TenantAgentStates states) : IActiveCall
{
    private readonly CancellationTokenSource callerGone = new();
    private TaskCompletionSource agentReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<HangupSide> hungUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<bool> agentAnswersNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource agentRejects = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime? answeredAt;
    private string? recordingFile;
    private string? endedBecause;

    public Guid Id { get; } = Guid.CreateVersion7();
    public Guid TenantId => tenantId;
    public InboundLeg Caller => caller;
    public CallDirection Direction => CallDirection.Inbound;
    public string Customer => caller.Caller;
    public DateTime OfferedAt { get; } = services.Clock.GetUtcNow().UtcDateTime;
    /// <summary>The agent whose phone rings or who talks; the last one offered once the call is over.</summary>
    public string? AgentId { get; private set; }
    public AgentLeg? Agent { get; private set; }
    /// <summary>Raised when an agent leg starts, so its SIP Call-ID can be routed back to this call.</summary>
    public event Action<IActiveCall, AgentLeg>? AgentLegStarted;

    /// <summary>The caller cancelled before the call was answered (RFC 3261 9.2: 487 for the INVITE).</summary>
    public void CallerCancelled()
    {
        if (caller.Refuse(487, "Request Terminated")) callerGone.Cancel();
    }

    public void HangUp(HangupSide side) => hungUp.TrySetResult(side);

    /// <summary>The talking part, once both legs answered: hold, mute, re-INVITEs.</summary>
    public Conversation? Talk { get; private set; }

    private void EndByYunke(string reason)
    {
        endedBecause ??= reason;
        HangUp(HangupSide.Yunke);
    }

    public void EndForShutdown()
    {
        if (caller.Refuse(503, "Service Shutting Down")) callerGone.Cancel();
        else EndByYunke("the server shut down");
    }

    public void ByeOn(string sipCallId) => HangUp(caller.CallId == sipCallId ? HangupSide.Caller : HangupSide.Agent);

    /// <summary>The agent answers from the workbench while its phone rings: the phone is called again, to answer at once.</summary>
    public bool AnswerFromWorkbench() => agentAnswersNow.TrySetResult(true);

    /// <summary>The agent declines from the workbench while its phone rings: treated like no answer.</summary>
    public void RejectFromWorkbench() => agentRejects.TrySetResult();

    /// <summary>Completes when the current agent has let go of the call: wrap-up after talking, busy after no answer.</summary>
    public Task AgentReleased => agentReleased.Task;

    public async Task<CallRecord> RunAsync()
    {
        try { return await RunCoreAsync(); }
        finally { agentReleased.TrySetResult(); }
    }

    private async Task<CallRecord> RunCoreAsync()
    {
        CallResult result;
        string reason;
        try
        {
            (result, reason) = await QueueAndConnectAsync();
        }
        catch (RtpPortsExhaustedException)
        {
            // Another call took the last ports between the admission check and here: the same answer as at the door.
            caller.Refuse(503, "No Media Ports", CallAdmission.RetryAfter);
            (result, reason) = (CallResult.Rejected, "503 No Media Ports");
        }
        catch (Exception e)
        {
            // Whatever broke, the caller gets an answer and the agent is not left ringing or talking.
            services.Log.LogError(e, "Call {CallId} failed", Id);
            caller.Refuse(500, "Server Internal Error");
            if (AgentId is not null && states.Get(AgentId).CallId == Id)
                await MoveAsync(states.Get(AgentId).State == AgentState.Talking ? AgentTrigger.Hangup : AgentTrigger.Withdraw, WrapUpUntil());
            (result, reason) = (CallResult.Failed, "500 Server Internal Error");
        }
        var now = services.Clock.GetUtcNow().UtcDateTime;
        return new CallRecord
        {
            Id = Id, TenantId = tenantId, Direction = CallDirection.Inbound, Caller = Trim(caller.Caller), Callee = Trim(caller.Dialled),
            SkillQueueId = queue.Id, AgentId = AgentId, OfferedAt = OfferedAt, AnsweredAt = answeredAt, EndedAt = now,
            WaitSeconds = Seconds((answeredAt ?? now) - OfferedAt), TalkSeconds = answeredAt is { } a ? Seconds(now - a) : 0,
            Result = result, Reason = reason, RecordingFile = recordingFile, SipCallId = caller.CallId,
        };
    }

    private async Task<(CallResult, string)> QueueAndConnectAsync()
    {
        await using var media = services.Media.Open();
        // After a late offer there is nothing to answer yet: Yunke offers in its 2xx (TalkAsync).
        SdpSession? answer = null;
        if (!caller.LateOffer && (answer = media.AnswerForCaller(caller.Offer!)) is null)
        {
            caller.Refuse(488, "No Common Codec");
            return (CallResult.Rejected, "488 No Common Codec");
        }
        // Into the queue before the caller hears anything: callers queue in the order they were answered, even when
        // the next INVITE is handled on another thread while this one is still sending its 183.
        var queued = states.QueueAsync(Id, queue.Id, queue.Limits, OfferedAt, callerGone.Token);
        if (answer is null) caller.Ringing();
        else
        {
            caller.EarlyMedia(answer);
            media.PlayRingback();
        }
        while (true)
        {
            var outcome = await queued;
            switch (outcome.Result)
            {
                case QueueResult.QueueFull:
                    caller.Refuse(486, "Queue Full");
                    return (CallResult.QueueFull, "486 Queue Full");
                case QueueResult.TimedOut:
                    caller.Refuse(480, "No Agent Available");
                    return (CallResult.QueueTimeout, "480 No Agent Available");
                case QueueResult.Cancelled:
                    return (CallResult.Abandoned, "487 Request Terminated");
            }
            AgentId = outcome.AgentId!;
            agentReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var (leg, agentAnswer) = await RingAsync(AgentId, media);
            if (callerGone.IsCancellationRequested)
            {
                if (leg is not null) _ = leg.ByeAsync();
                await MoveAsync(AgentTrigger.Withdraw);
                return (CallResult.Abandoned, "487 Request Terminated");
            }
            if (leg is null)
            {
                // Redirect on no answer: the agent is set busy so the queue skips it, and the call keeps its place.
                await MoveAsync(AgentTrigger.NoAnswer);
                queued = states.QueueAsync(Id, queue.Id, queue.Limits, OfferedAt, callerGone.Token);
                continue;
            }
            Agent = leg;
            return await TalkAsync(leg, media, answer, agentAnswer);
        }
    }

    /// <param name="answer">Yunke's answer to the caller's offer; null after a late offer, when the 2xx carries Yunke's offer instead.</param>
    private async Task<(CallResult, string)> TalkAsync(AgentLeg leg, ICallMedia media, SdpSession? answer, SdpSession? agentAnswer)
    {
        await MoveAsync(AgentTrigger.Answer);
        var sessionTimer = services.Settings.SessionTimers.ForIncoming(caller.Invite);
        var agentUsable = agentAnswer is not null && media.AgentAnswered(agentAnswer);
        // Relaying before the caller's 200 leaves, so that what the caller says the moment it is answered is not lost.
        // After a late offer the caller's answer only comes in its ACK: relaying starts then.
        if (agentUsable && answer is not null) StartMedia(media);
        if (!agentUsable || !caller.Answer(answer ?? media.OfferForCustomer(), sessionTimer))
        {
            // The phone answered with nothing usable, or the caller left in the same instant.
            _ = leg.ByeAsync();
            var left = callerGone.IsCancellationRequested;
            if (!left) caller.Refuse(488, "No Common Codec");
            await MoveAsync(AgentTrigger.Hangup, WrapUpUntil());
            return left ? (CallResult.Abandoned, "487 Request Terminated") : (CallResult.Failed, "488 No Common Codec");
        }
        var callerSdp = caller.Offer;
        if (answer is null && ((callerSdp = await LateAnswerAsync()) is null || !media.CustomerAnswered(callerSdp)))
        {
            // A late offer's ACK without a usable answer: the session cannot start, both legs end (RFC 3261 13.2.1).
            _ = caller.ByeAsync();
            _ = leg.ByeAsync();
            await MoveAsync(AgentTrigger.Hangup, WrapUpUntil());
            return (CallResult.Failed, "no usable SDP answer in the caller's ACK");
        }
        answeredAt = services.Clock.GetUtcNow().UtcDateTime;
        if (answer is null) StartMedia(media);

        HangupSide side;
        await using (Talk = new Conversation(services, media, new TalkingLeg(caller.Dialog!, callerSdp!, SessionTerms.FromOurAnswer(sessionTimer)),
            new TalkingLeg(leg.Dialog!, agentAnswer!, leg.SessionTerms), EndByYunke,
            () => services.Changes.Publish(tenantId, AgentId!)))
            side = await hungUp.Task;
        // Not awaited: a phone that has gone away must not hold up the record or the agent's wrap-up for 32 s.
        if (side != HangupSide.Caller) _ = caller.ByeAsync();
        if (side != HangupSide.Agent) _ = leg.ByeAsync();
        await MoveAsync(AgentTrigger.Hangup, WrapUpUntil());
        return (CallResult.Answered, side switch
        {
            HangupSide.Caller => "BYE from the caller",
            HangupSide.Agent => "BYE from the agent",
            HangupSide.Yunke => endedBecause!,
            _ => "hung up from the workbench",
        });
    }

    private void StartMedia(ICallMedia media)
    {
        var file = $"{Id:N}.wav";
        if (media.Start(services.Recordings.PathOf(file))) recordingFile = file;
    }

    /// <summary>The answer in the caller's ACK to our offer; null when none comes within 64*T1 (32 s) or it is unusable.</summary>
    private async Task<SdpSession?> LateAnswerAsync()
    {
        try { return await caller.AckAnswer.WaitAsync(TimeSpan.FromSeconds(32), services.Clock); }
        catch (TimeoutException) { return null; }
    }

    /// <summary>
    /// Rings every registered phone of the agent at once (pool mode: the first to answer wins, the others are
    /// cancelled) until one answers, all refuse, the ring time is over, the agent declines, or the caller leaves.
    /// The workbench's answer calls the phones again with answer-after=0.
    /// </summary>
    private async Task<(AgentLeg? Leg, SdpSession? Answer)> RingAsync(string agentId, ICallMedia media)
    {
        agentAnswersNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
        agentRejects = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var phone = await services.Phones.FindAsync(tenantId, agentId);
        if (phone is null || phone.Contacts.Count == 0) return (null, null);

        var autoAnswer = phone.AutoAnswerAfter;
        Task never = new TaskCompletionSource().Task;
        var answerNow = autoAnswer == 0 ? never : agentAnswersNow.Task;
        using var ringTime = new CancellationTokenSource(services.Settings.RingTimeout, services.Clock);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ringTime.Token, callerGone.Token);
        var stopped = Task.Delay(Timeout.Infinite, stop.Token);
        while (true)
        {
            var pending = new Dictionary<Task<SipResponse>, AgentLeg>();
            foreach (var contact in phone.Contacts)
            {
                var leg = new AgentLeg(services.Endpoint, contact.Flow, contact.Uri, phone.Number, services.Host, caller.Caller,
                    media.OfferForAgent(contact.Browser), autoAnswer,
                    services.Settings.SessionTimers, services.Clock);
                AgentLegStarted?.Invoke(this, leg);
                pending[leg.InviteAsync()] = leg;
            }
            var again = false;
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny([.. pending.Keys, stopped, answerNow, agentRejects.Task]);
                if (done == answerNow) { again = true; break; }
                if (done is not Task<SipResponse> invite || !pending.Remove(invite, out var leg)) break;
                var response = await invite;
                if (!response.IsSuccess) continue;
                Abandon(pending);
                return (leg, AgentLeg.AnswerOf(response));
            }
            Abandon(pending);
            if (!again) return (null, null);
            // Answered from the workbench: ring the phones again, telling them to pick up at once.
            autoAnswer = 0;
            answerNow = never;
        }
    }

    /// <summary>Cancels legs still ringing; one that answers anyway (its 200 crossed our CANCEL) is hung up.</summary>
    private static void Abandon(Dictionary<Task<SipResponse>, AgentLeg> pending)
    {
        foreach (var (invite, leg) in pending)
        {
            _ = leg.CancelAsync();
            _ = invite.ContinueWith(t => { if (t.Result.IsSuccess) _ = leg.ByeAsync(); }, TaskContinuationOptions.OnlyOnRanToCompletion);
        }
    }

    private DateTime WrapUpUntil() => services.Clock.GetUtcNow().UtcDateTime.AddSeconds(queue.WrapUpSeconds);

    private async Task MoveAsync(AgentTrigger trigger, DateTime? until = null)
    {
        try { await states.ApplyAsync(AgentId!, trigger, Id, until); }
        catch (Exception e) { services.Log.LogWarning(e, "Call {CallId}: agent {AgentId} could not {Trigger}", Id, AgentId, trigger); }
        if (trigger is not AgentTrigger.Answer) agentReleased.TrySetResult();
    }

    private static int Seconds(TimeSpan span) => Math.Max(0, (int)Math.Round(span.TotalSeconds));

    private static string Trim(string value) => value.Length <= 64 ? value : value[..64];
}
