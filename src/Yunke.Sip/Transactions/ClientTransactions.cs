using Yunke.Sip.Messages;

namespace Yunke.Sip.Transactions;

/// <summary>A client transaction: sends the request, retransmits it over unreliable transports, and passes responses up.</summary>
public abstract class SipClientTransaction : SipTransaction
{
    private protected SipClientTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers)
        : base(request, reliable, send, clock, timers) { }

    /// <summary>Each response the transaction user must see (retransmissions of a final response are absorbed).</summary>
    public event Action<SipClientTransaction, SipResponse>? ResponseReceived;

    /// <summary>Sends the request and starts the timers.</summary>
    public abstract void Start();

    /// <summary>Hands the transaction a response whose Via branch and CSeq method matched it (RFC 3261 17.1.3).</summary>
    public abstract void ReceiveResponse(SipResponse response);

    private protected void PassUp(SipResponse response) => ResponseReceived?.Invoke(this, response);
}

/// <summary>The INVITE client transaction of RFC 3261 17.1.1 (figure 5).</summary>
public sealed class InviteClientTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers = null)
    : SipClientTransaction(request, reliable, send, clock, timers)
{
    private SipRequest? ack;
    private SipRequest? ack2xx;

    public override void Start()
    {
        lock (Sync)
        {
            Enter(SipTransactionState.Calling);
            Send(Request);
            if (!IsReliable) Retransmit(Timers.T1);
            Start('B', Timers.TransactionTimeout, () => { if (State == SipTransactionState.Calling) TimeOut(); });
        }
    }

    private void Retransmit(TimeSpan interval) => Start('A', interval, () =>
    {
        if (State != SipTransactionState.Calling) return;
        Send(Request);
        Retransmit(interval * 2);
    });

    public override void ReceiveResponse(SipResponse response)
    {
        lock (Sync)
        {
            switch (State)
            {
                case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsProvisional:
                    Stop('A');
                    Enter(SipTransactionState.Proceeding);
                    PassUp(response);
                    break;
                case SipTransactionState.Calling or SipTransactionState.Proceeding when response.IsSuccess:
                    // The TU acknowledges 2xx itself, end to end (RFC 3261 13.2.2.4). The transaction stays for timer M
                    // (RFC 6026 7.2), so a 2xx repeated because our ACK was lost still finds it and gets that ACK again.
                    Stop('A');
                    Stop('B');
                    Enter(SipTransactionState.Accepted);
                    PassUp(response);
                    Start('M', Timers.TransactionTimeout, () => Enter(SipTransactionState.Terminated));
                    break;
                case SipTransactionState.Accepted when response.IsSuccess:
                    // Only the dialog we acknowledged: another fork's 2xx is the TU's to deal with.
                    if (ack2xx is not null && ack2xx.To?.Tag == response.To?.Tag) Send(ack2xx);
                    PassUp(response);
                    break;
                case SipTransactionState.Calling or SipTransactionState.Proceeding:
                    Stop('A');
                    Stop('B');
                    ack = CreateAck(Request, response);
                    Send(ack);
                    Enter(SipTransactionState.Completed);
                    PassUp(response);
                    // Timer D: long enough to absorb every retransmission of the final response (at least 32 s).
                    Start('D', Lingering(TimeSpan.FromSeconds(32)), () => Enter(SipTransactionState.Terminated));
                    break;
                case SipTransactionState.Completed when response.StatusCode >= 300:
                    Send(ack!); // the ACK was lost: the server retransmits its final response
                    break;
            }
        }
    }

    /// <summary>
    /// Sends the TU's ACK for the 2xx and keeps it: each retransmission of the 2xx while the transaction is
    /// Accepted gets it again (RFC 3261 13.2.2.4: the UAC core re-sends its ACK for every 2xx retransmission).
    /// </summary>
    public void Acknowledge(SipRequest ack)
    {
        lock (Sync)
        {
            ack2xx = ack;
            Send(ack);
        }
    }

    /// <summary>The ACK for a non-2xx final response, built as RFC 3261 17.1.1.3 says.</summary>
    public static SipRequest CreateAck(SipRequest invite, SipResponse response)
    {
        var ack = new SipRequest("ACK", invite.Uri);
        var via = invite.Headers.Get(SipHeaderNames.Via);
        if (via is not null) ack.Headers.Add(SipHeaderNames.Via, SipSyntax.SplitList(via)[0]);
        foreach (var name in (ReadOnlySpan<string>)[SipHeaderNames.Route, SipHeaderNames.From])
            foreach (var h in invite.Headers)
                if (h.Name == name) ack.Headers.Add(h.Name, h.Value);
        ack.Headers.Add(SipHeaderNames.To, response.Headers.Get(SipHeaderNames.To) ?? invite.Headers.Get(SipHeaderNames.To) ?? "");
        ack.Headers.Add(SipHeaderNames.CallId, invite.CallId ?? "");
        ack.Headers.Add(SipHeaderNames.CSeq, $"{invite.CSeq?.Number ?? 0} ACK");
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        return ack;
    }
}

/// <summary>The non-INVITE client transaction of RFC 3261 17.1.2 (figure 6).</summary>
public sealed class NonInviteClientTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers = null)
    : SipClientTransaction(request, reliable, send, clock, timers)
{
    public override void Start()
    {
        lock (Sync)
        {
            Enter(SipTransactionState.Trying);
            Send(Request);
            if (!IsReliable) Retransmit(Timers.T1);
            Start('F', Timers.TransactionTimeout, () =>
            {
                if (State is SipTransactionState.Trying or SipTransactionState.Proceeding) TimeOut();
            });
        }
    }

    // Timer E: doubling up to T2 while trying; once a provisional response came, every T2 (17.1.2.2).
    private void Retransmit(TimeSpan interval) => Start('E', interval, () =>
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) return;
        Send(Request);
        var next = State == SipTransactionState.Proceeding ? Timers.T2 : interval * 2;
        Retransmit(next < Timers.T2 ? next : Timers.T2);
    });

    public override void ReceiveResponse(SipResponse response)
    {
        lock (Sync)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) return;
            if (response.IsProvisional)
            {
                Enter(SipTransactionState.Proceeding);
                PassUp(response);
                return;
            }
            Stop('E');
            Stop('F');
            Enter(SipTransactionState.Completed);
            PassUp(response);
            Start('K', Lingering(Timers.T4), () => Enter(SipTransactionState.Terminated));
        }
    }
}
