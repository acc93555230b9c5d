using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;
using Yunke.Sip.Transactions;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The caller's side of a call: Yunke is the user agent server of the caller's INVITE. It answers it
/// (provisional, then one final response), repeats a 2xx until the caller's ACK comes (RFC 3261 13.3.1.4:
/// that is the UAS core's job, not the transaction's), and ends the dialog with a BYE of its own.
/// </summary>
public sealed class InboundLeg(SipIncomingRequest invite, SipEndpoint endpoint, TimeProvider clock)
{
    private readonly Lock sync = new();
    private SipResponse? final;
    private OkRepeater? repeat;
    private readonly TaskCompletionSource<SdpSession?> acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SipRequest Invite => invite.Request;
    public string CallId => Invite.CallId!;
    /// <summary>The caller's number: the user part of From.</summary>
    public string Caller => Invite.From?.Uri.User is { } user ? SipUri.Unescape(user) : "anonymous";
    /// <summary>The number dialled: the Request-URI's user, else To's.</summary>
    public string Dialled => SipUri.Unescape(Invite.Uri.User ?? Invite.To?.Uri.User ?? "");
    public SdpSession? Offer => Invite.Body.IsEmpty || !SdpSession.TryParse(Invite.BodyText, out var sdp, out _) ? null : sdp;
    /// <summary>
    /// An INVITE without a body (a "late offer", as some carriers and PBXs send): Yunke makes the offer in its 2xx and
    /// the caller answers in the ACK (RFC 3261 13.2.1); the caller hears its own ringback meanwhile (180, no early media).
    /// </summary>
    public bool LateOffer => Invite.Body.IsEmpty;
    /// <summary>Completes with the SDP of the caller's ACK for our 2xx (null when it has none).</summary>
    public Task<SdpSession?> AckAnswer => acknowledged.Task;
    /// <summary>True once a final response went out: a CANCEL then changes nothing (RFC 3261 9.2).</summary>
    public bool IsAnswered { get { lock (sync) return final is not null; } }
    /// <summary>The dialog, once answered with a 2xx.</summary>
    public LegDialog? Dialog { get; private set; }

    /// <summary>180 without SDP: the caller's phone plays its own ringback (a late offer leaves no early media to send).</summary>
    public void Ringing() => Send(WithContact(invite.CreateResponse(180, "Ringing")));

    /// <summary>183 with Yunke's answer: the caller hears what Yunke plays (ringback, prompts) before the call is answered.</summary>
    public void EarlyMedia(SdpSession answer)
    {
        var progress = WithContact(invite.CreateResponse(183, "Session Progress"));
        progress.SetBody("application/sdp", answer.ToString());
        Send(progress);
    }

    /// <summary>Refuses the call, with an RFC 3326 Reason saying why and, when given, when to try again (RFC 3261 20.33).</summary>
    public bool Refuse(int status, string phrase, TimeSpan? retryAfter = null)
    {
        var response = invite.CreateResponse(status, phrase);
        response.Headers.Add("Reason", $"SIP;cause={status};text=\"{phrase}\"");
        if (retryAfter is { } wait) response.Headers.Add("Retry-After", ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return SendFinal(response);
    }

    /// <summary>
    /// 200 OK with the answer SDP (the same as the early one; Yunke's offer after a late offer) and the session timer
    /// Yunke grants (RFC 4028 9); repeated until the ACK (over UDP).
    /// </summary>
    public bool Answer(SdpSession answer, SessionExpires sessionTimer)
    {
        var ok = WithContact(invite.CreateResponse(200, "OK"));
        sessionTimer.AddTo(ok, Invite);
        ok.Headers.Add(SipHeaderNames.Allow, CallHeaders.Allow);
        ok.SetBody("application/sdp", answer.ToString());
        var flow = invite.Inbound.Flow;
        // Our side of the dialog: To of the INVITE with our tag is our From, the caller's From our To; the proxies
        // that asked to stay in it are the route set, in order (RFC 3261 12.1.1).
        var ours = Invite.To!;
        ours.Tag = invite.ToTag;
        var dialog = new LegDialog(endpoint, flow, clock, CallId, ours.ToString(), Invite.Headers.Get(SipHeaderNames.From)!,
            Invite.Contacts.FirstOrDefault()?.Address?.Uri ?? Invite.From!.Uri, Invite.Headers.GetValues(SipHeaderNames.RecordRoute),
            ok.Headers.Get(SipHeaderNames.Contact)!, localCSeq: 0, remoteCSeq: Invite.CSeq?.Number ?? 0,
            peerAllowsUpdate: Invite.Headers.GetValues(SipHeaderNames.Allow).Contains("UPDATE", StringComparer.OrdinalIgnoreCase));
        // The dialog and the repeats are in place before the 2xx leaves: its ACK may come back on another receive
        // thread at once, and an ACK that finds no repeats to stop leaves the 2xx repeating for nothing.
        return SendFinal(ok, () =>
        {
            Dialog = dialog;
            if (!flow.IsReliable) repeat = new OkRepeater(flow, clock, ok);
        });
    }

    /// <summary>The caller's ACK for our 2xx arrived.</summary>
    public void Acknowledged(SipRequest ack)
    {
        lock (sync)
        {
            repeat?.Dispose();
            repeat = null;
        }
        acknowledged.TrySetResult(ack.Body.IsEmpty || !SdpSession.TryParse(ack.BodyText, out var sdp, out _) ? null : sdp);
    }

    /// <summary>Ends the answered call from our side.</summary>
    public Task<SipResponse> ByeAsync() =>
        Dialog?.ByeAsync() ?? Task.FromResult(SipResponse.CreateFor(Invite, 481, "Call/Transaction Does Not Exist"));

    /// <param name="beforeItLeaves">Runs once the response is ours to send, before it is sent.</param>
    private bool SendFinal(SipResponse response, Action? beforeItLeaves = null)
    {
        lock (sync)
        {
            if (final is not null) return false;
            final = response;
            beforeItLeaves?.Invoke();
        }
        Send(response);
        return true;
    }

    private void Send(SipResponse response)
    {
        if (invite.Transaction is InviteServerTransaction { State: SipTransactionState.Proceeding }) invite.Respond(response);
    }

    private SipResponse WithContact(SipResponse response)
    {
        var flow = invite.Inbound.Flow;
        var transport = flow.ViaTransport.ToLowerInvariant();
        response.Headers.Add(SipHeaderNames.Contact, $"<sip:{Dialled}@{Address(flow.LocalEndPoint)};transport={transport}>");
        foreach (var route in Invite.Headers.GetValues(SipHeaderNames.RecordRoute)) response.Headers.Add(SipHeaderNames.RecordRoute, route);
        return response;
    }

    internal static string Address(System.Net.IPEndPoint endPoint) => endPoint.ToString();
}
