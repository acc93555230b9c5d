using System.Globalization;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;
using Yunke.Sip.Transports;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// Yunke's call to one registered contact of an agent's phone: Yunke is the user agent client. It sends the
/// INVITE on the flow the phone registered over, and can CANCEL it (only once the phone answered
/// provisionally, RFC 3261 9.1), acknowledge its 2xx and end the dialog with BYE.
/// </summary>
public sealed class AgentLeg
{
    private readonly SipEndpoint endpoint;
    private readonly SipFlow flow;
    private SipRequest invite; // a new one (CSeq + 1) when a 422 asks for a longer session interval
    private readonly TimeProvider clock;
    private readonly TaskCompletionSource provisional = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int cancelled;
    private volatile bool completed;

    /// <param name="autoAnswerAfter">Seconds after which the phone should answer by itself, or null to let it ring.</param>
    /// <param name="sessionTimers">What Yunke asks for as session timer (RFC 4028); the phone's 2xx says what it grants.</param>
    public AgentLeg(SipEndpoint endpoint, SipFlow flow, SipUri contact, string phoneNumber, string host, string caller,
        SdpSession offer, int? autoAnswerAfter, SessionTimerSettings sessionTimers, TimeProvider clock)
    {
        this.endpoint = endpoint;
        this.flow = flow;
        this.clock = clock;
        CallId = $"{SipEndpoint.NewToken()}{SipEndpoint.NewToken()}@yunke";
        var local = InboundLeg.Address(flow.LocalEndPoint);
        invite = new SipRequest("INVITE", contact);
        invite.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/{flow.ViaTransport} {local};branch={SipEndpoint.NewBranch()};rport");
        invite.Headers.Add(SipHeaderNames.MaxForwards, "70");
        // The phone shows who calls: the caller's number, as Yunke's user.
        invite.Headers.Add(SipHeaderNames.From, $"\"{caller}\" <sip:{caller}@{host}>;tag={SipEndpoint.NewToken()}");
        invite.Headers.Add(SipHeaderNames.To, $"<sip:{phoneNumber}@{host}>");
        invite.Headers.Add(SipHeaderNames.CallId, CallId);
        invite.Headers.Add(SipHeaderNames.CSeq, "1 INVITE");
        invite.Headers.Add(SipHeaderNames.Contact, $"<sip:yunke@{local};transport={flow.ViaTransport.ToLowerInvariant()}>");
        invite.Headers.Add(SipHeaderNames.Allow, CallHeaders.Allow);
        sessionTimers.AddTo(invite);
        if (autoAnswerAfter is { } seconds)
        {
            // The conventions phones follow for intercom/auto-answer: Call-Info answer-after (Polycom, Yealink,
            // baresip, linphone) and Alert-Info (Cisco/Snom style).
            invite.Headers.Add("Call-Info", $"<sip:{host}>;answer-after={seconds.ToString(CultureInfo.InvariantCulture)}");
            invite.Headers.Add("Alert-Info", "info=alert-autoanswer");
        }
        invite.SetBody("application/sdp", offer.ToString());
    }

    public string CallId { get; }
    /// <summary>The dialog, once the phone answered with a 2xx.</summary>
    public LegDialog? Dialog { get; private set; }
    /// <summary>The session timer the phone's 2xx granted, if any.</summary>
    public SessionTerms? SessionTerms { get; private set; }

    /// <summary>Raised on the SIP thread for each provisional response (100 Trying excluded) to the INVITE.</summary>
    public event Action<SipResponse>? Ringing;

    /// <summary>
    /// Sends the INVITE; completes with the final response (a 408 when the phone never answered at all). A 422 with a
    /// Min-SE above what Yunke asked is asked again once with that interval (RFC 4028 7.4).
    /// </summary>
    public async Task<SipResponse> InviteAsync()
    {
        var response = await SendInviteAsync();
        if (response.StatusCode == 422 && SessionExpires.MinOf(response) is { } min && min > (SessionExpires.Of(invite)?.Seconds ?? 0)
            && Volatile.Read(ref cancelled) == 0)
        {
            invite = WithInterval(invite, min);
            response = await SendInviteAsync();
        }
        completed = true;
        provisional.TrySetResult();
        if (response.IsSuccess)
        {
            // The route set is the 2xx's Record-Route in reverse (RFC 3261 12.1.2).
            var routes = response.Headers.GetValues(SipHeaderNames.RecordRoute);
            routes.Reverse();
            Dialog = new LegDialog(endpoint, flow, clock, CallId, invite.Headers.Get(SipHeaderNames.From)!, response.Headers.Get(SipHeaderNames.To)!,
                response.Contacts.FirstOrDefault()?.Address?.Uri ?? invite.Uri, routes, invite.Headers.Get(SipHeaderNames.Contact)!,
                localCSeq: invite.CSeq?.Number ?? 1, remoteCSeq: 0,
                peerAllowsUpdate: response.Headers.GetValues(SipHeaderNames.Allow).Contains("UPDATE", StringComparer.OrdinalIgnoreCase));
            SessionTerms = SessionTerms.FromAnswerToUs(response);
            Dialog.Acknowledge(invite, response);
        }
        return response;
    }

    private Task<SipResponse> SendInviteAsync() => endpoint.SendRequestAsync(invite, flow, response =>
    {
        provisional.TrySetResult();
        if (response.StatusCode > 100) Ringing?.Invoke(response);
    });

    /// <summary>The INVITE again as a new transaction of the same dialog attempt (next CSeq, new branch), asking for that interval.</summary>
    private static SipRequest WithInterval(SipRequest previous, int seconds)
    {
        var next = new SipRequest("INVITE", previous.Uri);
        foreach (var header in previous.Headers) next.Headers.Add(header.Name, header.Value);
        var via = previous.Headers.Get(SipHeaderNames.Via)!;
        next.Headers.Set(SipHeaderNames.Via, via[..via.IndexOf(";branch=", StringComparison.Ordinal)] + $";branch={SipEndpoint.NewBranch()};rport");
        next.Headers.Set(SipHeaderNames.CSeq, $"{(previous.CSeq?.Number ?? 1) + 1} INVITE");
        var interval = seconds.ToString(CultureInfo.InvariantCulture);
        next.Headers.Set(SessionExpires.Header, interval);
        next.Headers.Set(SessionExpires.MinHeader, interval);
        next.Body = previous.Body;
        return next;
    }

    /// <summary>The SDP of a 2xx.</summary>
    public static SdpSession? AnswerOf(SipResponse response) =>
        response.Body.IsEmpty || !SdpSession.TryParse(response.BodyText, out var sdp, out _) ? null : sdp;

    /// <summary>Stops the ringing: CANCEL once the phone has answered provisionally (before that a CANCEL may overtake the INVITE).</summary>
    public async Task CancelAsync()
    {
        if (Interlocked.Exchange(ref cancelled, 1) == 1) return;
        await provisional.Task;
        // Answered meanwhile (the caller of this method hangs up with BYE), or refused: nothing left to cancel.
        if (completed) return;
        var cancel = new SipRequest("CANCEL", invite.Uri);
        cancel.Headers.Add(SipHeaderNames.Via, invite.Headers.Get(SipHeaderNames.Via)!);
        cancel.Headers.Add(SipHeaderNames.MaxForwards, "70");
        cancel.Headers.Add(SipHeaderNames.From, invite.Headers.Get(SipHeaderNames.From)!);
        cancel.Headers.Add(SipHeaderNames.To, invite.Headers.Get(SipHeaderNames.To)!);
        cancel.Headers.Add(SipHeaderNames.CallId, CallId);
        cancel.Headers.Add(SipHeaderNames.CSeq, $"{invite.CSeq?.Number ?? 1} CANCEL");
        await endpoint.SendRequestAsync(cancel, flow);
    }

    /// <summary>Ends the answered dialog.</summary>
    public Task<SipResponse> ByeAsync() =>
        Dialog?.ByeAsync() ?? Task.FromResult(SipResponse.CreateFor(invite, 481, "Call/Transaction Does Not Exist"));
}
