using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Yunke.Media.Sessions;

namespace Yunke.Media.Tests.Sessions;

/// <summary>The poller on its own: plain UDP sockets on loopback, each datagram carrying its socket's number and a count.</summary>
public sealed class UdpPollerTests : IDisposable
{
    private readonly List<Socket> sockets = [];
    private readonly UdpPeer sender = new();

    public void Dispose()
    {
        foreach (var socket in sockets) socket.Dispose();
        sender.Dispose();
    }

    private Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        sockets.Add(socket);
        return socket;
    }

    private static IPEndPoint EndPointOf(Socket socket) => (IPEndPoint)socket.LocalEndPoint!;

    private static byte[] Datagram(int socket, int count)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(bytes, socket);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        return bytes;
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++) await Task.Delay(10);
        condition().ShouldBeTrue();
    }

    public static TheoryData<double> BatchDelays => [0, 0.5, 1, 2];

    [Theory]
    [MemberData(nameof(BatchDelays))]
    public async Task Every_datagram_of_many_sockets_reaches_its_own_handler_with_its_source(double batchDelayMs)
    {
        if (!UdpPoller.IsSupported) return;
        using var poller = new UdpPoller(threads: 3, TimeSpan.FromMilliseconds(batchDelayMs));
        const int socketCount = 200, perSocket = 20;
        var received = new int[socketCount];
        var wrong = new ConcurrentBag<string>();
        var registrations = new List<IDisposable>();
        for (var i = 0; i < socketCount; i++)
        {
            var index = i;
            registrations.Add(poller.Add(Bind(), (datagram, source) =>
            {
                var socket = BinaryPrimitives.ReadInt32BigEndian(datagram);
                var count = BinaryPrimitives.ReadInt32BigEndian(datagram[4..]);
                var from = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(source);
                if (socket != index || count != received[index] || !from.Equals(sender.EndPoint)) wrong.Add($"{index}: {socket}/{count} from {from}");
                Interlocked.Increment(ref received[index]);
            }));
        }

        for (var n = 0; n < perSocket; n++)
        {
            for (var i = 0; i < socketCount; i++) sender.Send(Datagram(i, n), EndPointOf(sockets[i]));
            await Task.Delay(1); // a trickle, as RTP: not more than the sockets' buffers hold
        }

        await Until(() => received.Sum() == socketCount * perSocket);
        received.ShouldAllBe(r => r == perSocket);
        wrong.ShouldBeEmpty();
        foreach (var r in registrations) r.Dispose();
    }

    [Fact]
    public async Task After_removal_returns_the_handler_is_never_called_again_while_traffic_flows()
    {
        if (!UdpPoller.IsSupported) return;
        using var poller = new UdpPoller(threads: 2, TimeSpan.Zero);
        const int socketCount = 40;
        var removed = new bool[socketCount];
        var calledAfterRemoval = 0;
        var received = new int[socketCount];
        var registrations = new IDisposable[socketCount];
        for (var i = 0; i < socketCount; i++)
        {
            var index = i;
            registrations[i] = poller.Add(Bind(), (_, _) =>
            {
                // A slow handler widens the window in which removal meets a handler running.
                Thread.SpinWait(2000);
                if (Volatile.Read(ref removed[index])) Interlocked.Increment(ref calledAfterRemoval);
                Interlocked.Increment(ref received[index]);
            });
        }
        using var stop = new CancellationTokenSource();
        var endPoints = sockets.Select(EndPointOf).ToArray();
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var to in endPoints) sender.Send(Datagram(0, 0), to);
                await Task.Delay(1);
            }
        });
        await Until(() => received.All(r => r > 0));

        // Remove half of them while their datagrams keep coming, closing each socket at once (as a session does).
        for (var i = 0; i < socketCount; i += 2)
        {
            registrations[i].Dispose();
            Volatile.Write(ref removed[i], true);
            sockets[i].Dispose();
            await Task.Delay(2);
        }
        var stillServed = Enumerable.Range(0, socketCount).Where(i => i % 2 == 1).ToDictionary(i => i, i => Volatile.Read(ref received[i]));
        await Until(() => stillServed.All(s => Volatile.Read(ref received[s.Key]) > s.Value + 5));
        await stop.CancelAsync();
        await traffic;

        calledAfterRemoval.ShouldBe(0);
        for (var i = 1; i < socketCount; i += 2) registrations[i].Dispose();
    }

    [Fact]
    public async Task Removal_waits_for_the_handler_running_for_that_socket()
    {
        if (!UdpPoller.IsSupported) return;
        using var poller = new UdpPoller(threads: 1);
        var socket = Bind();
        using var entered = new ManualResetEventSlim();
        var finished = false;
        var registration = poller.Add(socket, (_, _) =>
        {
            entered.Set();
            Thread.Sleep(200);
            Volatile.Write(ref finished, true);
        });
        sender.Send(Datagram(0, 0), EndPointOf(socket));
        entered.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();

        await Task.Run(registration.Dispose);

        Volatile.Read(ref finished).ShouldBeTrue();
    }

    [Fact]
    public async Task A_handler_may_remove_its_own_socket()
    {
        if (!UdpPoller.IsSupported) return;
        using var poller = new UdpPoller(threads: 1);
        var socket = Bind();
        var calls = 0;
        IDisposable? registration = null;
        registration = poller.Add(socket, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            registration!.Dispose(); // from the poller's own thread: must not wait for itself
        });
        sender.Send(Datagram(0, 0), EndPointOf(socket));
        await Until(() => Volatile.Read(ref calls) == 1);

        sender.Send(Datagram(0, 1), EndPointOf(socket));
        await Task.Delay(100);
        calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_socket_closed_without_removal_leaves_the_others_and_the_next_socket_on_its_fd_alone()
    {
        if (!UdpPoller.IsSupported) return;
        using var poller = new UdpPoller(threads: 1);
        var closed = Bind();
        var other = Bind();
        var otherCount = 0;
        var closedRegistration = poller.Add(closed, (_, _) => { });
        using var otherRegistration = poller.Add(other, (_, _) => Interlocked.Increment(ref otherCount));
        var closedEndPoint = EndPointOf(closed);
        sender.Send(Datagram(0, 0), closedEndPoint); // pending when it closes
        closed.Dispose();

        sender.Send(Datagram(1, 0), EndPointOf(other));
        await Until(() => Volatile.Read(ref otherCount) == 1);

        // The kernel reuses the lowest free fd: the next socket most likely gets the closed one's number. Removing the
        // closed socket afterwards must not take the new one out of epoll.
        var next = Bind();
        var nextCount = 0;
        using var nextRegistration = poller.Add(next, (_, _) => Interlocked.Increment(ref nextCount));
        closedRegistration.Dispose();
        sender.Send(Datagram(2, 0), EndPointOf(next));
        await Until(() => Volatile.Read(ref nextCount) == 1);
        sender.Send(Datagram(1, 1), EndPointOf(other));
        await Until(() => Volatile.Read(ref otherCount) == 2);
    }

    [Fact]
    public async Task Dispose_stops_the_threads_and_leaves_later_removals_harmless()
    {
        if (!UdpPoller.IsSupported) return;
        var poller = new UdpPoller(threads: 2);
        var socket = Bind();
        var calls = 0;
        var registration = poller.Add(socket, (_, _) => Interlocked.Increment(ref calls));
        sender.Send(Datagram(0, 0), EndPointOf(socket));
        await Until(() => Volatile.Read(ref calls) == 1);

        poller.Dispose();
        sender.Send(Datagram(0, 1), EndPointOf(socket));
        await Task.Delay(100);

        calls.ShouldBe(1);
        registration.Dispose();
        Should.Throw<ObjectDisposedException>(() => poller.Add(Bind(), (_, _) => { }));
        poller.Dispose();
    }

    [Fact]
    public async Task Load_is_the_busiest_threads_share_of_time_spent_handling()
    {
        if (!UdpPoller.IsSupported) return;
        using var poller = new UdpPoller(threads: 2);
        poller.Load.ShouldBe(0, "no thread runs yet");
        var socket = Bind();
        var slow = 1;
        var drained = 0;
        using var registration = poller.Add(socket, (datagram, _) =>
        {
            // A handler that takes longer than datagrams take to arrive: its thread never gets to pause.
            if (Volatile.Read(ref slow) == 1) Thread.Sleep(3);
            if (BinaryPrimitives.ReadInt32BigEndian(datagram) == 1) Volatile.Write(ref drained, 1);
        });
        var sent = 0;
        // A thread of its own: timers (Task.Delay) may fire far later than asked on a busy machine.
        var flood = new Thread(() =>
        {
            var flooding = Stopwatch.StartNew();
            while (flooding.Elapsed < UdpPoller.LoadWindow + TimeSpan.FromMilliseconds(300))
            {
                sender.Send(Datagram(0, sent), EndPointOf(socket));
                sent++;
                Thread.Sleep(1);
            }
        });
        flood.Start();
        flood.Join();
        poller.Load.ShouldBeGreaterThan(0.8, "one thread was busy all the time (the other idle does not lower it)");

        Volatile.Write(ref slow, 0);
        // What queued behind the slow handler goes fast now; a marker behind it says it has (the socket's queue may
        // have overflowed and dropped one, so it is sent until it is seen).
        await Until(() =>
        {
            sender.Send(Datagram(1, 0), EndPointOf(socket));
            return Volatile.Read(ref drained) == 1;
        });
        _ = poller.Load; // the window with the backlog drained
        await Task.Delay(UdpPoller.LoadWindow + TimeSpan.FromMilliseconds(100));
        poller.Load.ShouldBeLessThan(0.1, "nothing arrived in the last window");
    }

    [Fact]
    public void Options_are_checked()
    {
        if (!UdpPoller.IsSupported)
        {
            Should.Throw<PlatformNotSupportedException>(() => new UdpPoller());
            return;
        }
        using var poller = new UdpPoller();
        poller.ThreadCount.ShouldBe(Math.Clamp(Environment.ProcessorCount, 1, 4));
        poller.BatchDelay.ShouldBe(TimeSpan.FromMilliseconds(1));
        Should.Throw<ArgumentOutOfRangeException>(() => new UdpPoller(threads: -1));
        Should.Throw<ArgumentOutOfRangeException>(() => new UdpPoller(batchDelay: TimeSpan.FromMilliseconds(-1)));
    }
}
