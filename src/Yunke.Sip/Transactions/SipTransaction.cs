using Yunke.Sip.Messages;

namespace Yunke.Sip.Transactions;

/// <summary>The states of RFC 3261 17, with Accepted from RFC 6026 7.2 (an INVITE client transaction after a 2xx).</summary>
public enum SipTransactionState { Calling, Trying, Proceeding, Completed, Confirmed, Accepted, Terminated }

/// <summary>
/// What the four transaction state machines of RFC 3261 17 share: a state, timers driven by a
/// <see cref="TimeProvider"/> (so tests can run them on a fake clock), and the transport they send on.
/// State changes happen under a lock; callbacks are invoked under it too, so they must not block.
/// </summary>
public abstract class SipTransaction
{
    private readonly Dictionary<char, ITimer> timers = [];
    private protected readonly Lock Sync = new();

    private protected SipTransaction(SipRequest request, bool reliable, Action<SipMessage> send, TimeProvider clock, SipTimers? timers)
    {
        Request = request;
        IsReliable = reliable;
        Send = send;
        Clock = clock;
        Timers = timers ?? SipTimers.Default;
        Branch = request.TopVia?.Branch ?? "";
    }

    /// <summary>The request that created the transaction.</summary>
    public SipRequest Request { get; }
    /// <summary>The top Via branch: the transaction id (RFC 3261 17.1.3, 17.2.3).</summary>
    public string Branch { get; }
    /// <summary>Reliable transports (TCP, TLS, WebSocket) need no retransmissions and no lingering.</summary>
    public bool IsReliable { get; }
    public SipTransactionState State { get; private set; }

    /// <summary>Raised once when the transaction ends, whatever the reason.</summary>
    public event Action<SipTransaction>? Terminated;
    /// <summary>Raised when timer B, F or H gives up (RFC 3261 17.1.1.2, 17.1.2.2, 17.2.1).</summary>
    public event Action<SipTransaction>? TimedOut;

    private protected Action<SipMessage> Send { get; }
    private protected TimeProvider Clock { get; }
    private protected SipTimers Timers { get; }

    private protected void Enter(SipTransactionState state)
    {
        if (State == SipTransactionState.Terminated) return;
        State = state;
        if (state != SipTransactionState.Terminated) return;
        foreach (var timer in timers.Values) timer.Dispose();
        timers.Clear();
        Terminated?.Invoke(this);
    }

    private protected void TimeOut()
    {
        TimedOut?.Invoke(this);
        Enter(SipTransactionState.Terminated);
    }

    /// <summary>Starts (or restarts) a named timer; a zero duration fires at once, as a reliable transport's D, I, J, K do.</summary>
    private protected void Start(char name, TimeSpan due, Action fired)
    {
        Stop(name);
        if (due <= TimeSpan.Zero)
        {
            fired();
            return;
        }
        var timer = SipTimerQueue.For(Clock, due).Start(timer =>
        {
            lock (Sync)
            {
                // A timer that was stopped or replaced meanwhile must not act.
                if (!timers.TryGetValue(name, out var current) || !ReferenceEquals(current, timer)) return;
                timers.Remove(name);
                fired();
            }
        });
        timers[name] = timer;
    }

    private protected void Stop(char name)
    {
        if (timers.Remove(name, out var timer)) timer.Dispose();
    }

    private protected TimeSpan Lingering(TimeSpan unreliable) => IsReliable ? TimeSpan.Zero : unreliable;
}
