using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Yunke.Sip.Transactions;

/// <summary>
/// Transaction timers of one duration on one clock. Every transaction starts its timers with one of a few
/// durations (T1 doubled up to T2, T4, 64*T1), so timers of equal duration fire in the order they were started:
/// one queue per duration and a single real timer armed for its head serve any number of them. A busy registrar
/// holds a timer J for every REGISTER of the last 32 s; as real timers, the runtime's timer queue walked all of
/// them several times a second.
/// </summary>
internal sealed class SipTimerQueue
{
    private static readonly ConditionalWeakTable<TimeProvider, ConcurrentDictionary<TimeSpan, SipTimerQueue>> Queues = new();

    private readonly TimeProvider clock;
    private readonly TimeSpan delay;
    private readonly Queue<Entry> entries = new();
    private readonly Lock sync = new();
    private readonly ITimer timer;
    private bool armed;

    private SipTimerQueue(TimeProvider clock, TimeSpan delay)
    {
        this.clock = clock;
        this.delay = delay;
        timer = clock.CreateTimer(static q => ((SipTimerQueue)q!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public static SipTimerQueue For(TimeProvider clock, TimeSpan delay) =>
        Queues.GetValue(clock, _ => new()).GetOrAdd(delay, d => new SipTimerQueue(clock, d));

    /// <summary>Calls <paramref name="fired"/> (on a timer thread) once the duration has passed, unless the returned timer is disposed first.</summary>
    public ITimer Start(Action<ITimer> fired)
    {
        var entry = new Entry(clock.GetUtcNow() + delay, fired);
        lock (sync)
        {
            entries.Enqueue(entry);
            if (!armed)
            {
                armed = true;
                timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }
        return entry;
    }

    private void Fire()
    {
        List<Entry>? due = null;
        lock (sync)
        {
            var now = clock.GetUtcNow();
            while (entries.TryPeek(out var head) && (head.Cancelled || head.Due <= now))
            {
                entries.Dequeue();
                if (!head.Cancelled) (due ??= []).Add(head);
            }
            armed = entries.TryPeek(out var next);
            // A real timer may wake a hair early: then it is simply armed again for what is left.
            if (armed) timer.Change(TimeSpan.FromTicks(Math.Max(next!.Due.Ticks - now.Ticks, TimeSpan.TicksPerMillisecond)), Timeout.InfiniteTimeSpan);
        }
        if (due is null) return;
        foreach (var entry in due) entry.Run();
    }

    /// <summary>One started timer; disposing it cancels it (it leaves the queue when it reaches the head, holding nothing of its transaction).</summary>
    private sealed class Entry(DateTimeOffset due, Action<ITimer> fired) : ITimer
    {
        private Action<ITimer>? fired = fired;

        public DateTimeOffset Due { get; } = due;
        public bool Cancelled => Volatile.Read(ref fired) is null;

        public void Run() => Volatile.Read(ref fired)?.Invoke(this);

        public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException("A SIP timer runs once for its queue's duration.");
        public void Dispose() => Volatile.Write(ref fired, null);
        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
