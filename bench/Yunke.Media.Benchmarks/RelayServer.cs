using System.Diagnostics;
using System.Globalization;
using System.Net;
using Yunke.Media.Codecs;
using Yunke.Media.Sessions;

namespace Yunke.Media.Benchmarks;

/// <summary>
/// The relay side of the load test, in its own process so its CPU and memory are measured alone:
/// N calls, each two sessions (caller leg PCMU, agent leg PCMA, so every packet is transcoded) joined by
/// an <see cref="RtpRelay"/>, peers unknown until latched. Prints "READY port port ..." (caller leg,
/// agent leg per call), then answers "stats" on stdin with one line of figures, and ends on "quit".
/// <c>--receive async</c> receives with the sessions' async loops instead of a <see cref="UdpPoller"/>;
/// <c>--batch-delay-ms</c> and <c>--poller-threads</c> set the poller's options.
/// </summary>
public static class RelayServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var calls = int.Parse(Option(args, "--calls", "500"), CultureInfo.InvariantCulture);
        var firstPort = int.Parse(Option(args, "--first-port", "30000"), CultureInfo.InvariantCulture);
        var delay = double.Parse(Option(args, "--batch-delay-ms", "1"), CultureInfo.InvariantCulture);
        var threads = int.Parse(Option(args, "--poller-threads", "0"), CultureInfo.InvariantCulture);
        using var poller = Option(args, "--receive", "poller") == "async" ? null : new UdpPoller(threads, TimeSpan.FromMilliseconds(delay));
        var allocator = new RtpPortAllocator(IPAddress.Loopback, firstPort, firstPort + 4 * calls + 200) { Poller = poller };
        var callerCodecs = new CodecRegistry().With(0, "PCMU").With(101, "telephone-event");
        var agentCodecs = new CodecRegistry().With(8, "PCMA").With(101, "telephone-event");
        // --no-rtcp: no periodic reports (to see what their timers cost).
        var options = args.Contains("--no-rtcp") ? new RtpSessionOptions { RtcpInterval = null } : new RtpSessionOptions();
        var sessions = new List<RtpSession>();
        var relays = new List<RtpRelay>();
        var ports = new List<int>();
        for (var i = 0; i < calls; i++)
        {
            var a = allocator.Open(options);
            var b = allocator.Open(options);
            a.SetPeer(new RtpPeer(null, callerCodecs, 0));
            b.SetPeer(new RtpPeer(null, agentCodecs, 8));
            relays.Add(new RtpRelay(a, b));
            sessions.Add(a);
            sessions.Add(b);
            ports.Add(a.LocalEndPoint.Port);
            ports.Add(b.LocalEndPoint.Port);
        }
        Console.WriteLine("READY " + string.Join(' ', ports));

        while (Console.ReadLine() is { } line)
        {
            if (line == "stats")
            {
                var process = Process.GetCurrentProcess();
                process.Refresh();
                Console.WriteLine(string.Join(' ',
                    "STATS",
                    process.TotalProcessorTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    process.WorkingSet64,
                    GC.GetTotalMemory(false),
                    GC.GetTotalAllocatedBytes(),
                    GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
                    relays.Sum(r => r.Forwarded), relays.Sum(r => r.Dropped),
                    sessions.Sum(s => s.Counters.Rejected),
                    ThreadPool.ThreadCount));
            }
            else if (line == "quit") break;
        }
        foreach (var relay in relays) relay.Dispose();
        foreach (var session in sessions) await session.DisposeAsync();
        return 0;
    }

    internal static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
