using System.Globalization;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;
using Yunke.Sip.Transactions;
using Yunke.Sip.Transports;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The established dialog of one leg, from Yunke's side (RFC 3261 12), whichever side created it: what an
/// in-dialog request needs (our From, their To, the remote target, the route set, our CSeq), the ACK of
/// each 2xx Yunke gets for its INVITEs, and the 2xx Yunke gives to the peer's re-INVITEs, repeated until
/// their ACK (13.3.1.4).
/// </summary>
public sealed class LegDialog(SipEndpoint endpoint, SipFlow flow, TimeProvider clock, string callId, string local, string remote,
    SipUri remoteTarget, IReadOnlyList<string> routes, string contact, uint localCSeq, uint remoteCSeq, bool peerAllowsUpdate)
{
    private readonly Lock sync = new();
    private SipUri target = remoteTarget;
    private uint cseq = localCSeq;
    private uint lastRemoteCSeq = remoteCSeq;
    private OkRepeater? answering;

    public string CallId => callId;
    /// <summary>The peer listed UPDATE in Allow: session refreshes can go without SDP (RFC 4028 9).</summary>
    public bool PeerAllowsUpdate => peerAllowsUpdate;
    public SipFlow Flow => flow;

    /// <summary>A request of this dialog with the next CSeq (RFC 3261 12.2.1.1).</summary>
    public SipRequest NewRequest(string method)
    {
        uint number;
        SipUri to;
        lock (sync)
        {
            number = ++cseq;
            to = target;
        }
        var request = new SipRequest(method, to);
        request.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/{flow.ViaTransport} {InboundLeg.Address(flow.LocalEndPoint)};branch={SipEndpoint.NewBranch()};rport");
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var route in routes) request.Headers.Add(SipHeaderNames.Route, route);
        request.Headers.Add(SipHeaderNames.From, local);
        request.Headers.Add(SipHeaderNames.To, remote);
        request.Headers.Add(SipHeaderNames.CallId, callId);
        request.Headers.Add(SipHeaderNames.CSeq, $"{number.ToString(CultureInfo.InvariantCulture)} {method}");
        if (method is "INVITE" or "UPDATE") request.Headers.Add(SipHeaderNames.Contact, contact);
        return request;
    }

    public Task<SipResponse> SendAsync(SipRequest request) => endpoint.SendRequestAsync(request, flow);

    /// <summary>A re-INVITE (with an offer, or none for a plain session refresh); its 2xx is acknowledged here.</summary>
    public async Task<SipResponse> InviteAsync(SdpSession? offer, Action<SipRequest>? extra = null)
    {
        var invite = NewRequest("INVITE");
        extra?.Invoke(invite);
        if (offer is not null) invite.SetBody("application/sdp", offer.ToString());
        var response = await SendAsync(invite);
        if (response.IsSuccess) Acknowledge(invite, response);
        return response;
    }

    /// <summary>The ACK for a 2xx to one of our INVITEs: same CSeq number, new branch, kept for the 2xx's retransmissions.</summary>
    public void Acknowledge(SipRequest invite, SipResponse ok)
    {
        var ack = new SipRequest("ACK", target);
        ack.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/{flow.ViaTransport} {InboundLeg.Address(flow.LocalEndPoint)};branch={SipEndpoint.NewBranch()};rport");
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var route in routes) ack.Headers.Add(SipHeaderNames.Route, route);
        ack.Headers.Add(SipHeaderNames.From, local);
        ack.Headers.Add(SipHeaderNames.To, ok.Headers.Get(SipHeaderNames.To) ?? remote);
        ack.Headers.Add(SipHeaderNames.CallId, callId);
        ack.Headers.Add(SipHeaderNames.CSeq, $"{(invite.CSeq?.Number ?? 1).ToString(CultureInfo.InvariantCulture)} ACK");
        endpoint.Acknowledge(ok, ack, flow);
    }

    public Task<SipResponse> ByeAsync() => SendAsync(NewRequest("BYE"));

    /// <summary>
    /// Takes a request from the peer: false when its CSeq is not above the last one (RFC 3261 12.2.2: answered 500).
    /// A re-INVITE or UPDATE with a Contact moves the remote target (a target refresh).
    /// </summary>
    public bool Accept(SipRequest request)
    {
        lock (sync)
        {
            if (request.CSeq is not { } number || number.Number <= lastRemoteCSeq) return false;
            lastRemoteCSeq = number.Number;
            if (request.Method is "INVITE" or "UPDATE" && request.Contacts.FirstOrDefault()?.Address?.Uri is { } moved) target = moved;
            return true;
        }
    }

    /// <summary>Answers the peer's re-INVITE with a 2xx, repeated over UDP until its ACK.</summary>
    public void AnswerInvite(SipIncomingRequest incoming, SipResponse ok)
    {
        ok.Headers.Add(SipHeaderNames.Contact, contact);
        // The repeats are set up before the 2xx leaves: its ACK may come back on another receive thread at once.
        if (!flow.IsReliable)
            lock (sync)
            {
                answering?.Dispose();
                answering = new OkRepeater(flow, clock, ok);
            }
        incoming.Respond(ok);
    }

    /// <summary>An ACK from the peer: it stops the repeats of the 2xx it acknowledges.</summary>
    public void Acknowledged(SipRequest ack)
    {
        lock (sync)
        {
            if (answering is null || answering.Ok.CSeq?.Number != ack.CSeq?.Number) return;
            answering.Dispose();
            answering = null;
        }
    }
}

/// <summary>
/// Repeats a 2xx to an INVITE over an unreliable transport until the ACK (disposal) or 64*T1: T1, 2*T1, ...
/// up to T2 (RFC 3261 13.3.1.4: the UAS core's job, not the transaction's).
/// </summary>
public sealed class OkRepeater : IDisposable
{
    private readonly Lock sync = new();
    private readonly SipFlow flow;
    private readonly TimeProvider clock;
    private readonly DateTimeOffset giveUp;
    private ITimer? timer;
    private bool stopped;

    public OkRepeater(SipFlow flow, TimeProvider clock, SipResponse ok)
    {
        this.flow = flow;
        this.clock = clock;
        Ok = ok;
        giveUp = clock.GetUtcNow() + SipTimers.Default.TransactionTimeout;
        Schedule(SipTimers.Default.T1);
    }

    public SipResponse Ok { get; }

    private void Schedule(TimeSpan interval)
    {
        lock (sync)
        {
            if (stopped) return;
            timer?.Dispose();
            timer = clock.CreateTimer(_ =>
            {
                if (stopped || clock.GetUtcNow() > giveUp) return;
                flow.Send(Ok);
                Schedule(interval * 2 < SipTimers.Default.T2 ? interval * 2 : SipTimers.Default.T2);
            }, null, interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (sync)
        {
            stopped = true;
            timer?.Dispose();
        }
    }
}
