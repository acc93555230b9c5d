using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;

namespace Yunke.Media.Benchmarks;

/// <summary>
/// The RTP side of the concurrent-calls measurement through the real server (bench/calls/run.sh):
/// <c>phones --calls 500 --seconds 20 --caller-port P --agent-port Q --server-pid PID</c>.
/// sipp sets the calls up and names P in every caller's offer and Q in every agent phone's answer, so
/// every call's two sessions on the server send here. A leg is known by the server port it comes from:
/// the first packet from a new port (ringback on the caller side, relayed audio on the agent side) adds it,
/// and from then on this process sends it 20 ms frames (PCMU to callers' legs, PCMA to agents', 50
/// packets/s each way) from the socket it came to, so the server latches onto us. Once every call has both
/// legs, after a settling time, it measures for the given seconds: loss per direction from the RTP sequence
/// numbers on the receiving side (each leg's stream keeps the sender's gaps), and the server's CPU and memory
/// from /proc.
/// </summary>
public static class CallPhones
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    public static int Run(string[] args)
    {
        int Int(string name, string fallback) => int.Parse(RelayServer.Option(args, name, fallback), CultureInfo.InvariantCulture);
        var calls = Int("--calls", "500");
        var seconds = Int("--seconds", "20");
        var settle = TimeSpan.FromSeconds(Int("--settle", "3"));
        var setupLimit = TimeSpan.FromSeconds(Int("--setup-seconds", "60"));
        var serverPid = Int("--server-pid", "0");

        using var callerSocket = Bind(Int("--caller-port", "0"));
        using var agentSocket = Bind(Int("--agent-port", "0"));
        var callers = new Side("to callers", callerSocket, payloadType: 0, calls);
        var agents = new Side("to agents", agentSocket, payloadType: 8, calls);
        var stop = new CancellationTokenSource();
        // Two readers per socket: on a shared machine the phones must not be what falls behind.
        foreach (var side in new[] { callers, agents })
            for (var i = 0; i < 2; i++)
                new Thread(() => side.Receive(stop.Token)) { IsBackground = true }.Start();
        var clock = Stopwatch.StartNew();
        var senders = new[] { callers, agents }.Select(side => new Thread(() => side.Send(clock, stop.Token))
            { IsBackground = true, Priority = ThreadPriority.AboveNormal }).ToArray();
        foreach (var t in senders) t.Start();
        Console.WriteLine($"ready: waiting for {calls} calls (caller legs on port {callers.Port}, agent legs on port {agents.Port})");

        while ((callers.Legs < calls || agents.Legs < calls) && clock.Elapsed < setupLimit) Thread.Sleep(100);
        var setUp = clock.Elapsed;
        if (callers.Legs < calls || agents.Legs < calls)
            Console.WriteLine($"only {callers.Legs} caller legs and {agents.Legs} agent legs sent RTP within {setupLimit.TotalSeconds:F0} s: measuring those");
        Thread.Sleep(settle);

        var server = serverPid > 0 ? ServerUsage.Read(serverPid) : null;
        var self = Process.GetCurrentProcess().TotalProcessorTime;
        var before = (callers.Snapshot(), agents.Snapshot());
        var sentBefore = callers.Sent + agents.Sent;
        var wall = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var after = (callers.Snapshot(), agents.Snapshot());
        var elapsed = wall.Elapsed;
        var sent = callers.Sent + agents.Sent - sentBefore;
        var serverAfter = serverPid > 0 ? ServerUsage.Read(serverPid) : null;
        var selfCpu = (Process.GetCurrentProcess().TotalProcessorTime - self).TotalMilliseconds / elapsed.TotalMilliseconds * 100;
        stop.Cancel();

        var toCallers = Loss(before.Item1, after.Item1, elapsed);
        var toAgents = Loss(before.Item2, after.Item2, elapsed);
        var expected = toCallers.Expected + toAgents.Expected;
        var sequenceLoss = expected == 0 ? 100 : 100.0 * (toCallers.Lost + toAgents.Lost) / expected;
        // The sequence numbers only show packets lost on the way. A server that falls behind relays every packet,
        // later and later (its sockets' queues grow), so its output spans fewer sequence numbers than were sent: what
        // arrived in the window against what was sent in it shows that, and counts as loss too.
        var arrived = toCallers.Received + toAgents.Received;
        var behind = sent == 0 ? 100 : Math.Max(0, 100.0 * (sent - arrived) / sent);
        var lossPercent = Math.Max(sequenceLoss, behind);
        Console.WriteLine($"{Math.Min(callers.Legs, agents.Legs)} calls with RTP after {setUp.TotalSeconds:F1} s; measured {elapsed.TotalSeconds:F1} s, " +
            $"sent {sent:N0} packets ({sent / elapsed.TotalSeconds:N0}/s), {arrived:N0} arrived ({arrived / elapsed.TotalSeconds:N0}/s): " +
            $"{behind:F2} % short of what was sent, {sequenceLoss:F3} % lost by the sequence numbers");
        foreach (var (name, l) in new[] { ("to callers", toCallers), ("to agents", toAgents) })
            Console.WriteLine($"  {name}: {l.Received:N0} of {l.Expected:N0} packets ({l.Expected / elapsed.TotalSeconds:N0}/s), " +
                $"loss {l.Percent:F3} %, legs with nothing in the window {l.Silent}, worst leg {l.WorstPercent:F1} %" +
                (l.Fast > 0 ? $", {l.Fast} legs over 55 packets/s" : "") + (l.Switched > 0 ? $", {l.Switched} legs changed source (marker)" : ""));
        var cpu = server is null || serverAfter is null ? double.NaN : (serverAfter.CpuTicks - server.CpuTicks) * 1000.0 / ServerUsage.TicksPerSecond / elapsed.TotalMilliseconds * 100;
        Console.WriteLine($"  server: CPU {cpu:F0} % of one core ({cpu / Environment.ProcessorCount:F0} % of {Environment.ProcessorCount}), " +
            $"resident memory {serverAfter?.ResidentMiB:F0} MiB, {serverAfter?.Threads} threads; this process: CPU {selfCpu:F0} % of one core");
        // One line for the script.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT calls={Math.Min(callers.Legs, agents.Legs)} loss={lossPercent:F3} cpu={cpu:F0} rss={serverAfter?.ResidentMiB:F0} phones_cpu={selfCpu:F0}"));
        return 0;
    }

    private static Socket Bind(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20, SendBufferSize = 4 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private sealed record LegCount(long HighestSequence, long Received, long Markers);

    private sealed record DirectionLoss(long Expected, long Received, int Silent, double WorstPercent, int Fast, int Switched)
    {
        public long Lost => Math.Max(0, Expected - Received);
        public double Percent => Expected == 0 ? 100 : 100.0 * Lost / Expected;
    }

    /// <summary>Over the legs known at both snapshots: packets the sequence numbers say were sent, against those received.</summary>
    private static DirectionLoss Loss(LegCount[] before, LegCount[] after, TimeSpan window)
    {
        long expected = 0, received = 0;
        int silent = 0, fast = 0, switched = 0;
        double worst = 0;
        for (var i = 0; i < before.Length; i++)
        {
            var e = after[i].HighestSequence - before[i].HighestSequence;
            var r = after[i].Received - before[i].Received;
            if (r == 0) silent++;
            // More than the phones send (50/s): packets the server held back before the window came in it.
            if (r > 55 * window.TotalSeconds) fast++;
            // A marker in mid-call: the server's outgoing stream changed source (RtpStreamRewriter).
            if (after[i].Markers > before[i].Markers) switched++;
            expected += e;
            received += r;
            if (e > 0) worst = Math.Max(worst, 100.0 * Math.Max(0, e - r) / e);
        }
        return new DirectionLoss(expected, received, silent, worst, fast, switched);
    }

    /// <summary>The phones on one socket: the server legs that send to it, what each received, and the paced sender.</summary>
    private sealed class Side(string name, Socket socket, byte payloadType, int calls)
    {
        private readonly Lock sync = new();
        private readonly Dictionary<int, Leg> byPort = [];
        private Leg[] legs = [];
        private long sent;

        public string Name => name;
        public int Port => ((IPEndPoint)socket.LocalEndPoint!).Port;
        public int Legs => Volatile.Read(ref legs).Length;
        public long Sent => Interlocked.Read(ref sent);

        public LegCount[] Snapshot() => Volatile.Read(ref legs).Select(l => l.Count()).ToArray();

        public void Receive(CancellationToken stop)
        {
            var buffer = new byte[2048];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            socket.ReceiveTimeout = 200;
            while (!stop.IsCancellationRequested)
            {
                int length;
                try { length = socket.ReceiveFrom(buffer, SocketFlags.None, from); }
                catch (SocketException) { continue; }
                // Only our audio: RTCP (second byte 200–204) also comes here when the server sends it to the RTP port.
                if (!RtpPacket.TryParse(buffer.AsSpan(0, length), out var packet) || packet.PayloadType is not (0 or 8)) continue;
                var port = from[2] << 8 | from[3]; // sockaddr_in: family (2 bytes), then the port in network order
                LegOf(port).Count(packet.SequenceNumber, packet.Marker);
            }
        }

        private Leg LegOf(int port)
        {
            lock (sync)
            {
                if (byPort.TryGetValue(port, out var leg)) return leg;
                leg = new Leg(new IPEndPoint(IPAddress.Loopback, port), (uint)(byPort.Count + (payloadType == 0 ? 1 : 100_000)));
                byPort[port] = leg;
                Volatile.Write(ref legs, [.. legs, leg]);
                return leg;
            }
        }

        /// <summary>20 ms frames to every known leg, each round spread over four 5 ms slices.</summary>
        public void Send(Stopwatch clock, CancellationToken stop)
        {
            var packet = new byte[172];
            var speech = new short[160];
            var payload = new byte[160];
            for (var i = 0; i < 160; i++) speech[i] = (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000));
            if (payloadType == 0) G711.EncodeMuLaw(speech, payload);
            else G711.EncodeALaw(speech, payload);
            for (long round = 0; !stop.IsCancellationRequested; round++)
            {
                var current = Volatile.Read(ref legs);
                for (var slice = 0; slice < 4; slice++)
                {
                    var wait = Frame * round + Frame / 4 * slice - clock.Elapsed;
                    if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                    for (var i = slice; i < current.Length; i += 4)
                    {
                        var leg = current[i];
                        new RtpHeader(payloadType, leg.NextSequence++, (uint)(round * 160), leg.Ssrc).Write(packet, payload);
                        try { socket.SendTo(packet, leg.Server); }
                        catch (SocketException) { continue; }
                        Interlocked.Increment(ref sent);
                    }
                }
            }
        }

        public override string ToString() => $"{name}: {Legs} legs of {calls}";
    }

    /// <summary>One server leg: where to send to it, and its extended highest sequence number and count received.</summary>
    private sealed class Leg(IPEndPoint server, uint ssrc)
    {
        private readonly Lock sync = new();
        private long highest = -1;
        private long received;
        private long markers;

        public IPEndPoint Server => server;
        public uint Ssrc => ssrc;
        public ushort NextSequence;

        public void Count(ushort sequence, bool marker)
        {
            lock (sync)
            {
                received++;
                if (marker) markers++;
                if (highest < 0) { highest = sequence; return; }
                var ahead = (ushort)(sequence - (ushort)highest);
                // Ahead by less than half the space: newer (across a wrap too); otherwise late or repeated.
                if (ahead is > 0 and < 0x8000) highest += ahead;
            }
        }

        public LegCount Count()
        {
            lock (sync) return new LegCount(highest, received, markers);
        }
    }

    /// <summary>A process's CPU time, resident memory and threads from /proc.</summary>
    private sealed record ServerUsage(long CpuTicks, double ResidentMiB, int Threads)
    {
        public const int TicksPerSecond = 100; // USER_HZ

        public static ServerUsage? Read(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Fields after the command (which may hold spaces) in parentheses: utime and stime are the 14th and 15th.
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
                var status = File.ReadAllLines($"/proc/{pid}/status");
                double Kb(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0],
                    CultureInfo.InvariantCulture);
                return new ServerUsage(ticks, Kb("VmRSS:") / 1024, (int)Kb("Threads:"));
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
