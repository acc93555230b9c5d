using System.Globalization;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>One leg as a conversation starts: its dialog, the phone's SDP (offer or answer) and the session timer agreed.</summary>
public sealed record TalkingLeg(LegDialog Dialog, SdpSession PhoneSdp, SessionTerms? Terms);

/// <summary>
/// The talking part of a call, inbound or outbound: the customer's and the agent's legs joined by anchored media.
/// It holds and resumes (the workbench's hold re-INVITEs both phones; a phone's own hold is answered and the relay
/// follows it), mutes the agent, answers the phones' re-INVITEs and UPDATEs (holds, session refreshes), keeps the
/// RFC 4028 session timers, and finds dead calls: no RTP from a leg that should send for <c>MediaTimeout</c>, or a
/// session timer the peer let expire. It ends the call through <c>end</c> with the reason; the call sends the BYEs.
/// </summary>
public sealed class Conversation : IAsyncDisposable
{
    private readonly CallServices services;
    private readonly ICallMedia media;
    private readonly Action<string> end;
    private readonly Action changed;
    private readonly Party customer, agent;
    private readonly Lock sync = new();
    // Holds and resumes one after another, so their re-INVITEs do not cross.
    private readonly SemaphoreSlim changing = new(1, 1);
    private readonly ITimer watchdog;
    private bool held, muted, ended;

    /// <param name="end">Ends the call, with the reason (a dead call, an expired session).</param>
    /// <param name="changed">Called after the call was held, resumed, muted or unmuted, from the workbench or by a phone.</param>
    public Conversation(CallServices services, ICallMedia media, TalkingLeg customerLeg, TalkingLeg agentLeg, Action<string> end, Action changed)
    {
        this.services = services;
        this.media = media;
        this.end = end;
        this.changed = changed;
        customer = NewParty(CallSide.Customer, "customer", customerLeg);
        agent = NewParty(CallSide.Agent, "agent's phone", agentLeg);
        Route();
        var every = services.Settings.MediaTimeout / 4;
        if (every > TimeSpan.FromSeconds(5)) every = TimeSpan.FromSeconds(5);
        watchdog = services.Clock.CreateTimer(_ => Watch(), null, every, every);
    }

    private Party NewParty(CallSide side, string name, TalkingLeg leg)
    {
        var party = new Party(side, name, leg.Dialog, PhoneDirection(leg.PhoneSdp), services.Clock.GetTimestamp());
        party.Timer = new SessionTimer(services.Clock, terms => OnSessionTimer(party, terms));
        party.Timer.Restart(leg.Terms);
        return party;
    }

    /// <summary>On hold: from the workbench, or by the agent's phone (its own offer stopped receiving).</summary>
    public bool Held
    {
        get { lock (sync) return held || agent.Holding; }
    }

    public bool Muted
    {
        get { lock (sync) return muted; }
    }

    /// <summary>The call is ending or over: nothing more is changed or answered.</summary>
    public bool IsOver
    {
        get { lock (sync) return ended; }
    }

    public bool Has(string sipCallId) => customer.Dialog.CallId == sipCallId || agent.Dialog.CallId == sipCallId;

    /// <summary>
    /// The workbench holds: the customer hears hold music and is told so (re-INVITE sendonly: Yunke sends, the phone
    /// only listens), the agent's phone is told nothing flows (inactive), and the relay stops both ways at once,
    /// whatever the phones answer. The re-INVITEs go on in the background. False when already held.
    /// </summary>
    public bool Hold()
    {
        lock (sync)
        {
            if (held || ended) return false;
            held = true;
        }
        Route();
        changed();
        _ = ChangeAsync(SdpDirection.SendOnly, SdpDirection.Inactive);
        return true;
    }

    /// <summary>Resumes what <see cref="Hold"/> held: both phones are offered sendrecv again. False when not held from the workbench.</summary>
    public bool Unhold()
    {
        lock (sync)
        {
            if (!held || ended) return false;
            held = false;
        }
        Route();
        changed();
        _ = ChangeAsync(SdpDirection.SendRecv, SdpDirection.SendRecv);
        return true;
    }

    /// <summary>Mute stops the agent's audio on its way to the customer; the agent still hears the customer. No SIP: the relay does it.</summary>
    public void Mute(bool on)
    {
        bool wasChanged;
        lock (sync)
        {
            wasChanged = muted != on;
            muted = on;
        }
        Route();
        if (wasChanged) changed();
    }

    private async Task ChangeAsync(SdpDirection toCustomer, SdpDirection toAgent)
    {
        await changing.WaitAsync();
        try
        {
            await Task.WhenAll(ReinviteAsync(customer, media.Reoffer(CallSide.Customer, toCustomer)),
                ReinviteAsync(agent, media.Reoffer(CallSide.Agent, toAgent)));
        }
        catch (Exception e)
        {
            services.Log.LogWarning(e, "A hold or resume re-INVITE failed");
        }
        finally
        {
            changing.Release();
        }
    }

    /// <summary>
    /// A re-INVITE or UPDATE from one of the phones: a hold or resume (a=sendonly, a=inactive, or c=0.0.0.0 the
    /// RFC 2543 way), a new address, or a session refresh with the same SDP. Answered 200 with the mirrored
    /// direction. The other leg is not re-INVITEd: with media anchored on Yunke, the relay simply stops forwarding
    /// what the holding phone will not hear, and the customer hears Yunke's hold music while the agent's phone
    /// holds. That is what B2BUAs anchoring media do by default (Asterisk, FreeSWITCH): the other phone keeps a
    /// working session, needs no re-INVITE it might glare with or refuse, and on a carrier trunk no mid-call
    /// signalling goes out just because an agent pressed hold.
    /// </summary>
    public void OnRequest(string sipCallId, SipIncomingRequest incoming)
    {
        var party = customer.Dialog.CallId == sipCallId ? customer : agent;
        var request = incoming.Request;
        if (IsOver)
        {
            incoming.Respond(481, "Call/Transaction Does Not Exist");
            return;
        }
        if (!party.Dialog.Accept(request))
        {
            incoming.Respond(500, "CSeq Out of Order");
            return;
        }
        if (request.Method == "INVITE" && party.Inviting)
        {
            // Glare: our re-INVITE and theirs crossed (RFC 3261 14.2); both back off and try again.
            incoming.Respond(491, "Request Pending");
            return;
        }
        if (services.Settings.SessionTimers.TooSmall(request) is { } min)
        {
            var refusal = incoming.CreateResponse(422, "Session Interval Too Small");
            refusal.Headers.Add(SessionExpires.MinHeader, min.ToString(CultureInfo.InvariantCulture));
            incoming.Respond(refusal);
            return;
        }
        SdpSession? answer = null;
        if (!request.Body.IsEmpty)
        {
            if (!SdpSession.TryParse(request.BodyText, out var offer, out _) || media.Renegotiate(party.Side, offer) is not { } renegotiated)
            {
                incoming.Respond(488, "Not Acceptable Here");
                return;
            }
            answer = renegotiated;
            bool holdChanged;
            lock (sync)
            {
                party.Direction = PhoneDirection(offer);
                var holding = !Receives(party.Direction);
                holdChanged = party.Holding != holding;
                party.Holding = holding;
            }
            if (holdChanged) changed();
        }
        // A re-INVITE without SDP asks for an offer in our 2xx: the session as it is (its answer in the ACK changes nothing here).
        else if (request.Method == "INVITE") answer = media.Current(party.Side);
        // The relay follows the new directions before the 200 goes out: once the phone has our answer, it is owed them.
        Route();

        var timer = services.Settings.SessionTimers.ForIncoming(request);
        var ok = incoming.CreateResponse(200, "OK");
        timer.AddTo(ok, request);
        ok.Headers.Add(SipHeaderNames.Allow, CallHeaders.Allow);
        if (answer is not null) ok.SetBody("application/sdp", answer.ToString());
        if (request.Method == "INVITE") party.Dialog.AnswerInvite(incoming, ok);
        else incoming.Respond(ok);
        party.Timer.Restart(SessionTerms.FromOurAnswer(timer));
    }

    /// <summary>An ACK on one of the legs: it may acknowledge our 2xx to that phone's re-INVITE.</summary>
    public void OnAck(string sipCallId, SipRequest ack) =>
        (customer.Dialog.CallId == sipCallId ? customer : agent).Dialog.Acknowledged(ack);

    /// <summary>
    /// Our re-INVITE to one phone, one at a time per dialog (RFC 3261 14.1: no INVITE while another is in progress);
    /// a 491 is tried again once after the random wait of RFC 3261 14.1.
    /// </summary>
    private async Task ReinviteAsync(Party party, SdpSession offer)
    {
        await party.InviteGate.WaitAsync();
        try
        {
            if (IsOver) return;
            var response = await party.Dialog.InviteAsync(offer, r => SessionHeaders(party, r));
            if (response.StatusCode == 491)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2100, 4000)), services.Clock);
                response = await party.Dialog.InviteAsync(offer, r => SessionHeaders(party, r));
            }
            if (response.IsSuccess && AgentLeg.AnswerOf(response) is { } answer && media.Reanswered(party.Side, answer))
                lock (sync) party.Direction = PhoneDirection(answer);
            Answered(party, response);
        }
        finally
        {
            party.InviteGate.Release();
        }
        Route();
    }

    /// <summary>What a response to our re-INVITE or UPDATE means for the dialog: a 481 or 408 ends it (RFC 3261 14.1).</summary>
    private void Answered(Party party, SipResponse response)
    {
        if (response.IsSuccess) party.Timer.Restart(SessionTerms.FromAnswerToUs(response) ?? party.Timer.Terms);
        else if (response.StatusCode is 481 or 408) End($"the {party.Name} did not answer in the dialog ({response.StatusCode} {response.ReasonPhrase})");
        else party.Timer.Restart(party.Timer.Terms);
    }

    private static void SessionHeaders(Party party, SipRequest request)
    {
        request.Headers.Add(SipHeaderNames.Supported, "timer");
        request.Headers.Add(SipHeaderNames.Allow, CallHeaders.Allow);
        if (party.Timer.Terms is { } terms)
            request.Headers.Add(SessionExpires.Header, new SessionExpires((int)terms.Interval.TotalSeconds, terms.YunkeRefreshes ? "uac" : "uas").ToString());
    }

    private void OnSessionTimer(Party party, SessionTerms terms)
    {
        if (!terms.YunkeRefreshes)
        {
            End($"session timer expired: no refresh from the {party.Name} within {terms.Interval.TotalSeconds:0} s");
            return;
        }
        _ = RefreshAsync(party);
    }

    /// <summary>Yunke is the refresher (RFC 4028 10): UPDATE without SDP when the peer allows it, else a re-INVITE with the same SDP.</summary>
    private async Task RefreshAsync(Party party)
    {
        try
        {
            if (party.Dialog.PeerAllowsUpdate)
            {
                var update = party.Dialog.NewRequest("UPDATE");
                SessionHeaders(party, update);
                Answered(party, await party.Dialog.SendAsync(update));
            }
            else await ReinviteAsync(party, media.Current(party.Side));
        }
        catch (Exception e)
        {
            services.Log.LogWarning(e, "A session refresh to the {Party} failed", party.Name);
            party.Timer.Restart(party.Timer.Terms);
        }
    }

    /// <summary>
    /// The media policy in one place. The customer hears the agent unless held or muted, and hold music while held
    /// from the workbench or by the agent's phone (its offer of sendonly or inactive, rather than relaying whatever
    /// the phone sends on hold, so every hold sounds the same); the agent hears the customer unless held. Each direction also
    /// needs the sending phone to send and the receiving one to receive, as their SDP says.
    /// </summary>
    private void Route()
    {
        lock (sync)
        {
            if (ended) return;
            var agentHolds = agent.Holding;
            var customerToAgent = !held && Sends(customer.Direction) && Receives(agent.Direction);
            var agentToCustomer = !held && !agentHolds && !muted && Sends(agent.Direction) && Receives(customer.Direction);
            var music = (held || agentHolds) && Receives(customer.Direction);
            media.Route(customerToAgent, agentToCustomer, music);
            // What is expected of each leg may have changed: the silence is measured from now.
            var now = services.Clock.GetTimestamp();
            customer.ExpectingSince = now;
            agent.ExpectingSince = now;
        }
    }

    /// <summary>A leg that is neither held nor holding must send RTP; one silent for the media timeout means a dead call.</summary>
    private void Watch()
    {
        var timeout = services.Settings.MediaTimeout;
        foreach (var party in (ReadOnlySpan<Party>)[customer, agent])
        {
            TimeSpan silent;
            lock (sync)
            {
                if (held || party.Direction != SdpDirection.SendRecv) continue;
                silent = services.Clock.GetElapsedTime(party.ExpectingSince);
            }
            if (media.Failure(party.Side) is { } failure)
            {
                End(failure);
                return;
            }
            if (media.SinceLastPacket(party.Side) is { } quiet && quiet < silent) silent = quiet;
            if (silent < timeout) continue;
            End($"no RTP from the {party.Name} for {timeout.TotalSeconds:0} s");
            return;
        }
    }

    private void End(string reason)
    {
        lock (sync)
        {
            if (ended) return;
            ended = true;
        }
        services.Log.LogInformation("Call ended by Yunke: {Reason}", reason);
        end(reason);
    }

    /// <summary>Which way the phone's SDP says media flows, from the phone's side; c=0.0.0.0 means it will not receive,
    /// except from a browser, whose media goes where ICE says (a browser writes 0.0.0.0 before it has candidates).</summary>
    private static SdpDirection PhoneDirection(SdpSession sdp)
    {
        if (WebRtcSdp.Audio(sdp) is not { } audio) return SdpDirection.Inactive;
        var direction = sdp.DirectionOf(audio);
        if (sdp.ConnectionOf(audio)?.Address == "0.0.0.0" && !WebRtcSdp.IsWebRtc(audio)) direction = Sends(direction) ? SdpDirection.SendOnly : SdpDirection.Inactive;
        return direction;
    }

    private static bool Sends(SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.SendOnly;
    private static bool Receives(SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public async ValueTask DisposeAsync()
    {
        lock (sync) ended = true;
        await watchdog.DisposeAsync();
        customer.Timer.Dispose();
        agent.Timer.Dispose();
    }

    private sealed class Party(CallSide side, string name, LegDialog dialog, SdpDirection direction, long since)
    {
        public CallSide Side => side;
        public string Name => name;
        public LegDialog Dialog => dialog;
        /// <summary>The phone's direction, from its latest offer or answer.</summary>
        public SdpDirection Direction { get; set; } = direction;
        public long ExpectingSince { get; set; } = since;
        public SessionTimer Timer { get; set; } = null!;
        /// <summary>The phone put the call on hold: its own last offer said it will not receive.</summary>
        public bool Holding { get; set; }
        /// <summary>Held while our re-INVITE to this phone is in progress (a re-INVITE from it meanwhile gets 491).</summary>
        public SemaphoreSlim InviteGate { get; } = new(1, 1);
        public bool Inviting => InviteGate.CurrentCount == 0;
    }
}

/// <summary>Headers every leg Yunke answers or calls gets alike.</summary>
public static class CallHeaders
{
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE";
}
