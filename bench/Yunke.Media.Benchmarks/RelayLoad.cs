using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;

namespace Yunke.Media.Benchmarks;

/// <summary>
/// N relayed calls at 50 packets/s in each direction for T seconds on loopback:
/// <c>load --calls 500 --seconds 30</c>. The relay runs in a child process (<see cref="RelayServer"/>);
/// this process plays all the phones from two sockets (callers, agents: every session latches onto
/// one of them) with a paced sender thread and two receiver threads per socket, spreading each
/// 20 ms round over four 5 ms slices. Reports loss, the relay's CPU, memory and allocation per packet, and
/// the time from send to receive. <c>--receive async</c>, <c>--batch-delay-ms</c>, <c>--poller-threads</c>: how
/// the relay receives (<see cref="RelayServer"/>); <c>--phones-poll-ms 1</c>: the phones read every millisecond
/// instead of blocking (see <see cref="Counter.Receive"/>).
/// </summary>
public static class RelayLoad
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    public static int Run(string[] args)
    {
        var calls = int.Parse(RelayServer.Option(args, "--calls", "500"), CultureInfo.InvariantCulture);
        var seconds = int.Parse(RelayServer.Option(args, "--seconds", "30"), CultureInfo.InvariantCulture);
        var warmup = TimeSpan.FromSeconds(int.Parse(RelayServer.Option(args, "--warmup", "3"), CultureInfo.InvariantCulture));

        var inline = args.Contains("--inline-completions");
        var phonesPollMs = int.Parse(RelayServer.Option(args, "--phones-poll-ms", "0"), CultureInfo.InvariantCulture);
        var socketThreads = RelayServer.Option(args, "--socket-threads", "");
        var receiving = new[] { "--receive", "--batch-delay-ms", "--poller-threads" }
            .Where(o => Array.IndexOf(args, o) is var at && at >= 0 && at + 1 < args.Length).SelectMany(o => new[] { o, RelayServer.Option(args, o, "") })
            .Concat(args.Contains("--no-rtcp") ? ["--no-rtcp"] : []).ToArray();
        using var server = StartServer(calls, inline, socketThreads, receiving);
        var ready = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The relay server ended: " + server.StandardError.ReadToEnd());
        var ports = ready.Split(' ').Skip(1).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var legA = Enumerable.Range(0, calls).Select(i => new IPEndPoint(IPAddress.Loopback, ports[2 * i])).ToArray();
        var legB = Enumerable.Range(0, calls).Select(i => new IPEndPoint(IPAddress.Loopback, ports[2 * i + 1])).ToArray();

        using var callers = Bind();
        using var agents = Bind();
        // What a phone receives comes from its leg's port: that names the call.
        // When each call's last 64 packets left, per side: the latency of what comes back, found by the round
        // number the sender writes into the payload's first 4 bytes (see RoundCode).
        var callersSentAt = new long[calls * 64];
        var agentsSentAt = new long[calls * 64];
        var toCallers = new Counter(legA, expectedPayloadType: 0, agentsSentAt, RoundCode.ToCallers);
        var toAgents = new Counter(legB, expectedPayloadType: 8, callersSentAt, RoundCode.ToAgents);
        var stop = new CancellationTokenSource();
        // Two readers per socket: on a shared machine the phones must not be what falls behind.
        var receivers = new[]
        {
            new Thread(() => toCallers.Receive(callers, phonesPollMs, stop.Token)), new Thread(() => toCallers.Receive(callers, phonesPollMs, stop.Token)),
            new Thread(() => toAgents.Receive(agents, phonesPollMs, stop.Token)), new Thread(() => toAgents.Receive(agents, phonesPollMs, stop.Token)),
        };
        foreach (var t in receivers) { t.IsBackground = true; t.Start(); }

        long sent = 0;
        var sending = true;
        var clock = Stopwatch.StartNew();
        // One sender thread per side, each pacing its half: on a shared machine two threads also get their share of the cores.
        Thread Sender(Socket socket, IPEndPoint[] legs, byte payloadType, uint ssrcBase, long[] sentAt) => new(() =>
        {
            var packet = new byte[172];
            var speech = new short[160];
            var payload = new byte[160];
            for (var i = 0; i < 160; i++) speech[i] = (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000));
            if (payloadType == 0) G711.EncodeMuLaw(speech, payload);
            else G711.EncodeALaw(speech, payload);
            for (long round = 0; Volatile.Read(ref sending); round++)
            {
                for (var slice = 0; slice < 4; slice++)
                {
                    var wait = Frame * round + Frame / 4 * slice - clock.Elapsed;
                    if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                    for (var call = slice; call < calls; call += 4)
                    {
                        RoundCode.Write(payload, payloadType, (int)round);
                        new RtpHeader(payloadType, (ushort)round, (uint)(round * 160), ssrcBase + (uint)call).Write(packet, payload);
                        sentAt[call * 64 + (int)(round & 63)] = Stopwatch.GetTimestamp();
                        socket.SendTo(packet, legs[call]);
                        Interlocked.Increment(ref sent);
                    }
                }
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        var senders = new[] { Sender(callers, legA, 0, 1, callersSentAt), Sender(agents, legB, 8, 100_000, agentsSentAt) };
        var self = Process.GetCurrentProcess();
        foreach (var t in senders) t.Start();

        Console.WriteLine($"{calls} calls, {calls * 2 * 50} packets/s through the relay{(inline ? " (inline socket completions)" : "")}{(socketThreads != "" ? $" ({socketThreads} socket threads)" : "")}{(receiving.Length > 0 ? " (" + string.Join(' ', receiving) + ")" : "")}{(phonesPollMs > 0 ? $" (phones read every {phonesPollMs} ms)" : "")}, warm-up {warmup.TotalSeconds:F0} s, measuring {seconds} s ...");
        Thread.Sleep(warmup);
        var before = Stats(server);
        var sentBefore = Interlocked.Read(ref sent);
        var receivedBefore = toCallers.Total + toAgents.Total;
        toCallers.Measuring = toAgents.Measuring = true;
        var selfCpuBefore = CpuOf(self);
        var wall = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref sending, false);
        foreach (var t in senders) t.Join();
        var sentAfter = Interlocked.Read(ref sent);
        var elapsed = wall.Elapsed;
        Thread.Sleep(500); // let the last packets through
        var after = Stats(server);
        var receivedAfter = toCallers.Total + toAgents.Total;
        var selfCpuAfter = CpuOf(self);
        var latency = Latency.Of(toCallers.Delays, toAgents.Delays);
        stop.Cancel();
        server.StandardInput.WriteLine("quit");
        server.WaitForExit(30_000);

        // Over the whole run, so no packet in flight at a window's edge counts; the packets the relay had to
        // drop before both phones of a call had sent (nowhere to send yet: latching) are counted apart.
        var latchingDrops = after.Dropped;
        var loss = 100.0 * (sentAfter - receivedAfter - latchingDrops) / sentAfter;
        // Where it was lost: never sent on by the relay (its sockets overflowed), or sent but not read by the phones (this process's).
        var lostInRelay = 100.0 * (sentAfter - after.Forwarded - latchingDrops) / sentAfter;
        var lostAtPhones = 100.0 * (after.Forwarded - receivedAfter) / sentAfter;
        var sentWindow = sentAfter - sentBefore;
        var receivedWindow = receivedAfter - receivedBefore;
        var relayed = after.Forwarded - before.Forwarded;
        var cpu = (after.CpuMs - before.CpuMs) / elapsed.TotalMilliseconds * 100;
        var worstCall = Math.Min(toCallers.MinimumPerCall(), toAgents.MinimumPerCall());
        Console.WriteLine($"sent {sentWindow:N0} packets in {elapsed.TotalSeconds:F1} s ({sentWindow / elapsed.TotalSeconds:N0}/s), received {receivedWindow:N0}");
        Console.WriteLine($"loss {loss:F3} % of all {sentAfter:N0} packets sent (warm-up included), besides {latchingDrops:N0} dropped before the call's other phone had sent (latching)");
        Console.WriteLine($"  of which {lostInRelay:F3} % never relayed (relay too slow) and {lostAtPhones:F3} % relayed but not read by the phones (load generator too slow)");
        Console.WriteLine($"relay process: CPU {cpu:F0} % of one core ({cpu / Environment.ProcessorCount:F0} % of {Environment.ProcessorCount}), " +
            $"working set {after.WorkingSet / 1048576.0:F0} MiB, managed heap {after.Heap / 1048576.0:F0} MiB, " +
            $"allocated {(double)(after.Allocated - before.Allocated) / Math.Max(1, relayed):F1} B per relayed packet, " +
            $"GCs gen0/1/2 {after.Gen0 - before.Gen0}/{after.Gen1 - before.Gen1}/{after.Gen2 - before.Gen2}, {after.Threads} pool threads");
        Console.WriteLine($"relay counters in the window: forwarded {relayed:N0}, dropped {after.Dropped - before.Dropped}, rejected {after.Rejected - before.Rejected}; " +
            $"payload type errors at the phones {toCallers.WrongPayloadType + toAgents.WrongPayloadType}; fewest packets of one call-direction {worstCall:N0}");
        Console.WriteLine($"send → receive through the relay: mean {latency.Mean:F2} ms, p99 {latency.P99:F1} ms, max {latency.Max:F1} ms (over {latency.Count:N0} packets of the window)");
        Console.WriteLine($"load generator (this process): CPU {(selfCpuAfter - selfCpuBefore) / elapsed.TotalMilliseconds * 100:F0} % of one core");
        return 0;
    }

    private static Process StartServer(int calls, bool inlineCompletions, string socketThreads, string[] receiving)
    {
        var path = Environment.ProcessPath!;
        var start = new ProcessStartInfo(path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        // Socket continuations on the epoll thread instead of the thread pool: right for handlers that never block.
        if (inlineCompletions) start.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
        // How many epoll threads (one on 2 cores by default); with inline completions they do all the relaying.
        if (socketThreads != "") start.Environment["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = socketThreads;
        // Under `dotnet Yunke.Media.Benchmarks.dll` the process is dotnet itself: pass the assembly.
        if (Path.GetFileNameWithoutExtension(path) == "dotnet") start.ArgumentList.Add(typeof(RelayLoad).Assembly.Location);
        foreach (var a in new[] { "relay-server", "--calls", calls.ToString(CultureInfo.InvariantCulture) }.Concat(receiving)) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the relay server.");
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, SendBufferSize = 4 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static double CpuOf(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    private sealed record ServerStats(double CpuMs, long WorkingSet, long Heap, long Allocated, int Gen0, int Gen1, int Gen2, long Forwarded, long Dropped, long Rejected, int Threads);

    private static ServerStats Stats(Process server)
    {
        server.StandardInput.WriteLine("stats");
        var f = (server.StandardOutput.ReadLine() ?? "").Split(' ');
        if (f.FirstOrDefault() != "STATS") throw new InvalidOperationException("The relay server did not answer: " + string.Join(' ', f));
        long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return new ServerStats(double.Parse(f[1], CultureInfo.InvariantCulture), L(2), L(3), L(4), (int)L(5), (int)L(6), (int)L(7), L(8), L(9), L(10), (int)L(11));
    }

    /// <summary>Counts what the phones on one socket receive, per call (by the source port, which is the leg's).</summary>
    private sealed class Counter
    {
        private readonly Dictionary<int, int> callOfPort = [];
        private readonly long[] perCall;
        private readonly byte expectedPayloadType;
        private long total;

        private readonly long[] sentAt;
        private readonly sbyte[] digitOf;

        public Counter(IPEndPoint[] legs, byte expectedPayloadType, long[] sentAt, sbyte[] digitOf)
        {
            this.sentAt = sentAt;
            this.digitOf = digitOf;
            for (var i = 0; i < legs.Length; i++) callOfPort[legs[i].Port] = i;
            perCall = new long[legs.Length];
            this.expectedPayloadType = expectedPayloadType;
        }

        public long Total => Interlocked.Read(ref total);
        public long WrongPayloadType;
        public long MinimumPerCall() => perCall.Min();
        public volatile bool Measuring;
        /// <summary>Send → receive in 10 µs steps (the last one: 1 s and more).</summary>
        public readonly long[] Delays = new long[100_001];

        /// <param name="pollMs">
        /// 0: block in recvfrom, so each datagram the relay sends wakes a thread here, and the relay's send pays for
        /// that wake-up (loopback delivers inside the sender's sendmsg). Otherwise read what is there every
        /// <paramref name="pollMs"/> ms: the relay's sends then cost what they would to phones on other hosts.
        /// </param>
        public void Receive(Socket socket, int pollMs, CancellationToken stop)
        {
            var buffer = new byte[2048];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            socket.ReceiveTimeout = 200;
            while (!stop.IsCancellationRequested)
            {
                if (pollMs > 0 && socket.Available == 0)
                {
                    Thread.Sleep(pollMs);
                    continue;
                }
                int length;
                try
                {
                    length = socket.ReceiveFrom(buffer, SocketFlags.None, from);
                }
                catch (SocketException)
                {
                    continue;
                }
                var port = from[2] << 8 | from[3]; // sockaddr_in: family (2 bytes), then the port in network order
                if (!callOfPort.TryGetValue(port, out var call) || !RtpPacket.TryParse(buffer.AsSpan(0, length), out var packet)) continue;
                if (packet.PayloadType != expectedPayloadType) Interlocked.Increment(ref WrongPayloadType);
                Interlocked.Increment(ref perCall[call]);
                Interlocked.Increment(ref total);
                if (Measuring && RoundCode.Read(packet.Payload, digitOf) is var round && round >= 0)
                {
                    var delay = Stopwatch.GetElapsedTime(sentAt[call * 64 + (round & 63)]);
                    Interlocked.Increment(ref Delays[Math.Min(Delays.Length - 1, (long)(delay.TotalMicroseconds / 10))]);
                }
            }
        }
    }

    /// <summary>
    /// A packet's round number (16 bits) in its first 4 payload bytes, one hex digit each, drawn from 16 codes of
    /// the sender's G.711 law that the relay's transcoding maps to 16 distinct codes of the other law: the
    /// receiver reads it back through a table, and so knows when that packet was sent.
    /// </summary>
    private static class RoundCode
    {
        private static readonly byte[] MuLawDigits = Digits(G711.MuLawToALaw);
        private static readonly byte[] ALawDigits = Digits(G711.ALawToMuLaw);
        public static readonly sbyte[] ToAgents = Table(MuLawDigits, G711.MuLawToALaw);
        public static readonly sbyte[] ToCallers = Table(ALawDigits, G711.ALawToMuLaw);

        private static byte[] Digits(Func<byte, byte> transcode) =>
            Enumerable.Range(0, 256).Select(c => (byte)c).DistinctBy(transcode).Take(16).ToArray();

        private static sbyte[] Table(byte[] digits, Func<byte, byte> transcode)
        {
            var table = Enumerable.Repeat((sbyte)-1, 256).ToArray();
            for (var d = 0; d < 16; d++) table[transcode(digits[d])] = (sbyte)d;
            return table;
        }

        public static void Write(Span<byte> payload, byte payloadType, int round)
        {
            var digits = payloadType == 0 ? MuLawDigits : ALawDigits;
            for (var i = 0; i < 4; i++) payload[i] = digits[(round >> (12 - 4 * i)) & 15];
        }

        /// <summary>The round, or -1 when a byte is not a digit.</summary>
        public static int Read(ReadOnlySpan<byte> payload, sbyte[] digitOf)
        {
            var round = 0;
            for (var i = 0; i < 4; i++)
            {
                var digit = digitOf[payload[i]];
                if (digit < 0) return -1;
                round = round << 4 | (byte)digit;
            }
            return round;
        }
    }

    private readonly record struct Latency(double Mean, double P99, double Max, long Count)
    {
        public static Latency Of(params long[][] histograms)
        {
            var buckets = new long[histograms[0].Length];
            foreach (var h in histograms) for (var i = 0; i < buckets.Length; i++) buckets[i] += h[i];
            var count = buckets.Sum();
            if (count == 0) return default;
            double sum = 0, p99 = 0, max = 0;
            long seen = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                if (buckets[i] == 0) continue;
                var ms = (i + 0.5) / 100;
                sum += buckets[i] * ms;
                if (seen < count * 0.99 && seen + buckets[i] >= count * 0.99) p99 = ms;
                seen += buckets[i];
                max = ms;
            }
            return new Latency(sum / count, p99, max, count);
        }
    }
}
