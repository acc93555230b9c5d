using Yunke.Sip.Messages;

namespace Yunke.Sip.Transactions;

/// <summary>A server transaction: absorbs retransmitted requests by repeating the last response, and sends the TU's responses.</summary>
public abstract class SipServerTransaction : SipTransaction
{
    private protected SipServerTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers)
        : base(request, reliable, send, clock, timers) { }

    public SipResponse? LastResponse { get; private protected set; }

    /// <summary>Sends a response from the transaction user.</summary>
    public abstract void SendResponse(SipResponse response);

    /// <summary>Hands the transaction a request that matched it (RFC 3261 17.2.3): a retransmission, or an ACK.</summary>
    public abstract void ReceiveRequest(SipRequest request);
}

/// <summary>The INVITE server transaction of RFC 3261 17.2.1 (figure 7).</summary>
public sealed class InviteServerTransaction : SipServerTransaction
{
    public InviteServerTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers = null)
        : base(request, reliable, send, clock, timers) => Enter(SipTransactionState.Proceeding);

    /// <summary>Raised when the ACK for a non-2xx final response arrives.</summary>
    public event Action<InviteServerTransaction, SipRequest>? AckReceived;

    public override void SendResponse(SipResponse response)
    {
        lock (Sync)
        {
            if (State != SipTransactionState.Proceeding) return;
            LastResponse = response;
            Send(response);
            if (response.IsProvisional) return;
            if (response.IsSuccess)
            {
                // 2xx retransmission belongs to the TU (RFC 3261 13.3.1.4).
                Enter(SipTransactionState.Terminated);
                return;
            }
            Enter(SipTransactionState.Completed);
            if (!IsReliable) Retransmit(Timers.T1);
            Start('H', Timers.TransactionTimeout, () => { if (State == SipTransactionState.Completed) TimeOut(); });
        }
    }

    private void Retransmit(TimeSpan interval) => Start('G', interval, () =>
    {
        if (State != SipTransactionState.Completed) return;
        Send(LastResponse!);
        var next = interval * 2;
        Retransmit(next < Timers.T2 ? next : Timers.T2);
    });

    public override void ReceiveRequest(SipRequest request)
    {
        lock (Sync)
        {
            if (request.Method == "ACK")
            {
                if (State != SipTransactionState.Completed) return;
                Stop('G');
                Stop('H');
                Enter(SipTransactionState.Confirmed);
                AckReceived?.Invoke(this, request);
                Start('I', Lingering(Timers.T4), () => Enter(SipTransactionState.Terminated));
                return;
            }
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
                Send(LastResponse);
        }
    }
}

/// <summary>The non-INVITE server transaction of RFC 3261 17.2.2 (figure 8).</summary>
public sealed class NonInviteServerTransaction : SipServerTransaction
{
    private readonly bool lingers;

    /// <param name="lingers">
    /// False when whoever sends the final response keeps it for timer J (see <see cref="SipCompletedRequests"/>): the
    /// transaction then ends with its final response, as over a reliable transport.
    /// </param>
    public NonInviteServerTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers = null,
        bool lingers = true)
        : base(request, reliable, send, clock, timers)
    {
        this.lingers = lingers;
        Enter(SipTransactionState.Trying);
    }

    public override void SendResponse(SipResponse response)
    {
        lock (Sync)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding)) return;
            LastResponse = response;
            Send(response);
            if (response.IsProvisional)
            {
                Enter(SipTransactionState.Proceeding);
                return;
            }
            Enter(SipTransactionState.Completed);
            Start('J', lingers ? Lingering(Timers.TransactionTimeout) : TimeSpan.Zero, () => Enter(SipTransactionState.Terminated));
        }
    }

    public override void ReceiveRequest(SipRequest request)
    {
        lock (Sync)
        {
            // In Trying there is nothing to repeat yet; the retransmission is simply absorbed.
            if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
                Send(LastResponse);
        }
    }
}
