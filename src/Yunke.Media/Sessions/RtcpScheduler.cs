using System.Runtime.CompilerServices;

namespace Yunke.Media.Sessions;

/// <summary>
/// Sends the periodic RTCP reports of all sessions on one clock from a single timer ticking every 100 ms,
/// instead of a timer per session: each timer firing wakes a thread-pool thread, which spins before it sleeps
/// again, and with a thousand sessions (200 reports/s) that was 14–27 % of the relay's CPU samples (docs/benchmarks.md).
/// A report is late by at most a tick, nothing for a 5 s interval that RFC 3550 randomises anyway.
/// </summary>
internal sealed class RtcpScheduler
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly ConditionalWeakTable<TimeProvider, RtcpScheduler> schedulers = [];

    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly HashSet<Entry> entries = [];
    private readonly List<Entry> due = [];
    private ITimer? timer;

    private RtcpScheduler(TimeProvider time) => this.time = time;

    public static RtcpScheduler For(TimeProvider time) => schedulers.GetValue(time, t => new RtcpScheduler(t));

    /// <summary>Calls <paramref name="report"/> after <paramref name="first"/>, then every <paramref name="interval"/>, until disposed.</summary>
    public IDisposable Add(TimeSpan first, TimeSpan interval, Action report)
    {
        var entry = new Entry(this, report, Ticks(interval)) { Due = time.GetTimestamp() + Ticks(first) };
        lock (gate)
        {
            entries.Add(entry);
            // The timer runs only while there are sessions, so an idle process has no timer at all.
            timer ??= time.CreateTimer(_ => OnTick(), null, Tick, Tick);
        }
        return entry;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private void Remove(Entry entry)
    {
        lock (gate)
        {
            if (!entries.Remove(entry) || entries.Count > 0) return;
            timer?.Dispose();
            timer = null;
        }
    }

    private void OnTick()
    {
        var now = time.GetTimestamp();
        lock (gate)
        {
            due.Clear();
            foreach (var entry in entries)
            {
                if (now < entry.Due) continue;
                // After a stall, the next report one interval from now rather than a burst of the missed ones.
                entry.Due = Math.Max(entry.Due + entry.Interval, now + 1);
                due.Add(entry);
            }
            // Under the lock: once a session is removed, no report of it is running or will run (it closes its
            // socket next), and two ticks never overlap on a busy pool.
            foreach (var entry in due)
            {
                try
                {
                    entry.Report();
                }
                catch (Exception)
                {
                    // RTCP is best effort; one session's failure must not stop the others' reports.
                }
            }
        }
    }

    private sealed class Entry(RtcpScheduler scheduler, Action report, long interval) : IDisposable
    {
        public Action Report { get; } = report;
        public long Interval { get; } = interval;
        public long Due;

        public void Dispose() => scheduler.Remove(this);
    }
}
