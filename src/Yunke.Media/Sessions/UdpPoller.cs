using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Yunke.Media.Sessions;

/// <summary>Called on a poller thread for each datagram; the bytes and the source are valid only during the call.</summary>
internal delegate void UdpDatagramHandler(ReadOnlySpan<byte> datagram, SocketAddress source);

/// <summary>
/// Receives the datagrams of many UDP sockets on a few threads (Linux epoll), for sockets that each get a
/// trickle (RTP: 50 packets/s). At that rate the .NET socket engine wakes a thread for nearly every datagram
/// (epoll_wait returns one or two events at a time), runs an async continuation for it and asks again with a
/// recvmsg that finds nothing. Here each thread has its own epoll instance (level-triggered, so a socket not read
/// to the end is simply reported again), reads each ready socket into the thread's one buffer and calls its
/// handler inline; then it sleeps <see cref="BatchDelay"/> before the next epoll_wait, so one wake-up handles the
/// packets of many sockets. Media tolerates the delay (jitter buffers hold 20 ms and more). Measured: 15–25 % less
/// CPU per relayed packet; most of what remains is the kernel's UDP send and receive (docs/benchmarks.md).
/// Handlers must not block: they hold up every socket of their thread. A handler may remove its own socket, but
/// not another thread's (removal waits for that thread's handler, which might be waiting for this one).
/// </summary>
public sealed partial class UdpPoller : IDisposable
{
    private const int MaxEvents = 256;
    private const int MaxPerSocketBehind = 8;
    private const ulong WakeUpData = ulong.MaxValue;
    private static readonly Lazy<UdpPoller?> shared = new(() => IsSupported ? new UdpPoller() : null);

    private readonly Lock gate = new();
    private readonly Worker[] workers;
    private Entry[] entries = new Entry[64];
    private readonly Stack<int> freeSlots = [];
    private int slotsUsed;
    private bool started, disposed;
    private readonly Lock loadGate = new();
    private long loadSampledAt;
    private long[] busyAtSample = [];
    private double load;

    /// <param name="threads">Poller threads; 0 = one per core, at most 4.</param>
    /// <param name="batchDelay">The pause after each batch (default 1 ms); zero wakes up for every packet.</param>
    public UdpPoller(int threads = 0, TimeSpan? batchDelay = null)
    {
        if (!IsSupported) throw new PlatformNotSupportedException("UdpPoller needs Linux (epoll).");
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        BatchDelay = batchDelay ?? TimeSpan.FromMilliseconds(1);
        if (BatchDelay < TimeSpan.Zero || BatchDelay > TimeSpan.FromMilliseconds(100))
            throw new ArgumentOutOfRangeException(nameof(batchDelay), "The batch delay must be 0–100 ms.");
        workers = new Worker[threads > 0 ? threads : Math.Clamp(Environment.ProcessorCount, 1, 4)];
    }

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>One poller for the process, created on first use and never disposed; null where not supported.</summary>
    public static UdpPoller? Shared => shared.Value;

    public int ThreadCount => workers.Length;
    public TimeSpan BatchDelay { get; }

    /// <summary>The shortest time <see cref="Load"/> is measured over.</summary>
    public static readonly TimeSpan LoadWindow = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The busiest thread's share of wall-clock time spent handling datagrams (0–1) since the previous measurement,
    /// taken at most once per <see cref="LoadWindow"/> (cheap to ask per call). A thread that keeps up pauses between
    /// batches; near 1 it no longer does: it is behind, every packet it handles waits longer, and adding sockets
    /// makes that worse for all of them. Time the thread was preempted while handling counts as busy: the packets
    /// waited all the same.
    /// </summary>
    public double Load
    {
        get
        {
            lock (loadGate)
            {
                if (!Volatile.Read(ref started)) return 0;
                var now = Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(loadSampledAt, now) < LoadWindow) return load;
                var busiest = 0.0;
                for (var i = 0; i < workers.Length; i++)
                {
                    var busy = Volatile.Read(ref workers[i].BusyTicks);
                    busiest = Math.Max(busiest, Math.Min(1, (double)(busy - busyAtSample[i]) / (now - loadSampledAt)));
                    busyAtSample[i] = busy;
                }
                (loadSampledAt, load) = (now, busiest);
                return load;
            }
        }
    }

    /// <summary>Starts calling <paramref name="handler"/> for what <paramref name="socket"/> receives; dispose the result to stop.</summary>
    /// <param name="sameThreadAs">
    /// Another socket's registration whose thread this one shares: their handlers then never run at once, and a
    /// session's busy socket and quiet one (RTP, RTCP) do not end up all busy on one thread, all quiet on another.
    /// Otherwise the thread with the fewest sockets.
    /// </param>
    internal Registration Add(Socket socket, UdpDatagramHandler handler, Registration? sameThreadAs = null)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // Threads start with the first socket, so a poller that is never used (Shared on a host without RTP) costs nothing.
            if (!started) Start();
            var slot = freeSlots.Count > 0 ? freeSlots.Pop() : slotsUsed++;
            if (slot == entries.Length) Array.Resize(ref entries, entries.Length * 2); // pollers read the old or the new array: same Entry objects
            var entry = entries[slot] ??= new Entry();
            var worker = sameThreadAs is not null ? entries[sameThreadAs.Slot].Worker! : workers.MinBy(w => w.Sockets)!;
            // Taken once: Socket.SafeHandle marks the handle exposed on every read.
            entry.Socket = socket.SafeHandle;
            entry.Family = socket.AddressFamily;
            entry.Handler = handler;
            entry.Worker = worker;
            var generation = entry.Generation + 1;
            Volatile.Write(ref entry.Generation, generation);
            try
            {
                Native.Control(worker.Epoll, Native.EPOLL_CTL_ADD, entry.Socket, Native.EPOLLIN, (ulong)slot << 32 | generation);
            }
            catch
            {
                Volatile.Write(ref entry.Generation, generation + 1);
                Free(entry, slot);
                throw;
            }
            worker.Sockets++;
            return new Registration(this, slot, generation);
        }
    }

    private void Start()
    {
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = workers[i] = new Worker(Native.CreateEpoll(), Native.CreateEventFd());
            Native.Control(worker.Epoll, Native.EPOLL_CTL_ADD, worker.WakeUp, Native.EPOLLIN, WakeUpData);
            worker.Thread = new Thread(() => Poll(worker)) { IsBackground = true, Name = $"UDP poller {i + 1}" };
            worker.Thread.Start();
        }
        // Load measures from here; it reads the workers only once it sees started.
        (busyAtSample, loadSampledAt) = (new long[workers.Length], Stopwatch.GetTimestamp());
        Volatile.Write(ref started, true);
    }

    private void Remove(int slot, uint generation)
    {
        Entry entry;
        lock (gate)
        {
            entry = entries[slot];
            if (entry.Generation != generation) return;
            // A new generation first: an event for this slot already taken from epoll_wait is then ignored.
            Interlocked.Exchange(ref entry.Generation, generation + 1);
            if (!disposed)
            {
                try
                {
                    // Through the SafeHandle: a socket already closed is out of epoll already, and its fd number may
                    // be another socket's by now, which must stay.
                    Native.Control(entry.Worker!.Epoll, Native.EPOLL_CTL_DEL, entry.Socket!, 0, 0);
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException) { }
            }
            entry.Worker!.Sockets--;
        }
        // The poller may be inside this socket's handler (it saw the old generation just before): wait until it is
        // out, so that after Remove the handler is never running and the socket can close. Not from the handler itself.
        var worker = entry.Worker;
        if (worker.Thread != Thread.CurrentThread)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref worker.Current) == slot) spin.SpinOnce();
        }
        lock (gate) Free(entry, slot);
    }

    private void Free(Entry entry, int slot)
    {
        entry.Socket = null;
        entry.Handler = null;
        freeSlots.Push(slot);
    }

    private void Poll(Worker worker)
    {
        var events = new byte[MaxEvents * Native.EventSize];
        var buffer = GC.AllocateUninitializedArray<byte>(65536, pinned: true); // the largest UDP datagram
        var v4 = new SocketAddress(AddressFamily.InterNetwork);
        var v6 = new SocketAddress(AddressFamily.InterNetworkV6);
        var pause = (long)(BatchDelay.TotalMicroseconds * 1000);
        var pauseTicks = (long)(BatchDelay.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            int count;
            try
            {
                count = Native.Wait(worker.Epoll, events, -1);
            }
            catch (ObjectDisposedException)
            {
                return; // disposed by a handler on this thread
            }
            // A full batch means we are behind: no pause then, and the sockets likely hold several datagrams, which
            // cost less to read on than to find again through epoll. Otherwise one each: at 50 packets/s there is
            // rarely a second, and looking for it costs a recvfrom that finds nothing.
            var behind = count == MaxEvents;
            var woke = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var data = Native.EventData(events, i);
                if (data == WakeUpData) return;
                var slot = (int)(data >> 32);
                var entry = Volatile.Read(ref entries)[slot];
                // Say which socket this thread is on before checking it is still registered (Remove does the opposite):
                // either Remove waits for us, or we see its new generation.
                Interlocked.Exchange(ref worker.Current, slot);
                if (Volatile.Read(ref entry.Generation) == (uint)data)
                    Receive(entry.Socket!, entry.Handler!, buffer, entry.Family == AddressFamily.InterNetworkV6 ? v6 : v4, behind ? MaxPerSocketBehind : 1);
                Volatile.Write(ref worker.Current, -1);
            }
            var handling = Stopwatch.GetTimestamp() - woke;
            Volatile.Write(ref worker.BusyTicks, worker.BusyTicks + handling);
            // The pause lets packets gather; a batch that took longer than the pause has let them gather already, and
            // pausing then would only delay them more (and hide from Load that this thread cannot keep up).
            if (pause > 0 && !behind && handling < pauseTicks) Native.Sleep(pause);
        }
    }

    private static void Receive(SafeSocketHandle socket, UdpDatagramHandler handler, byte[] buffer, SocketAddress source, int most)
    {
        for (var n = 0; n < most; n++)
        {
            int length;
            try
            {
                length = Native.ReceiveFrom(socket, buffer, source);
            }
            catch (ObjectDisposedException)
            {
                return; // closed without Remove: the kernel dropped it from epoll
            }
            if (length < 0) return; // nothing more, or e.g. ECONNREFUSED: an ICMP port unreachable for an earlier send
            try
            {
                handler(buffer.AsSpan(0, length), source);
            }
            catch (Exception)
            {
                // A handler's failure must not stop the other sockets of this thread.
            }
        }
    }

    /// <summary>Stops the threads; registered sockets are no longer read (removing them later is harmless).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
        }
        if (!started) return;
        foreach (var worker in workers) Native.Signal(worker.WakeUp);
        foreach (var worker in workers)
        {
            if (worker.Thread != Thread.CurrentThread) worker.Thread!.Join();
            worker.Epoll.Dispose();
            worker.WakeUp.Dispose();
        }
    }

    /// <summary>A socket's place in the poller; Dispose removes it (see <see cref="Remove"/>).</summary>
    internal sealed class Registration(UdpPoller poller, int slot, uint generation) : IDisposable
    {
        private int removed;

        internal int Slot => slot;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref removed, 1) == 0) poller.Remove(slot, generation);
        }
    }

    /// <summary>
    /// A slot of the table the epoll events point into (by slot and generation, never by object address): reused
    /// for later sockets with a new generation, so a stale event finds a generation that is not its own.
    /// </summary>
    private sealed class Entry
    {
        public uint Generation;
        public SafeSocketHandle? Socket;
        public AddressFamily Family;
        public UdpDatagramHandler? Handler;
        public Worker? Worker;
    }

    private sealed class Worker(SafeFileHandle epoll, SafeFileHandle wakeUp)
    {
        public SafeFileHandle Epoll { get; } = epoll;
        public SafeFileHandle WakeUp { get; } = wakeUp;
        public Thread? Thread;
        public int Sockets;
        public int Current = -1; // the slot being handled, -1 between events
        public long BusyTicks; // Stopwatch ticks spent handling batches; written by the thread only
    }

    /// <summary>libc's epoll, eventfd, recvfrom and nanosleep.</summary>
    private static partial class Native
    {
        public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
        public const uint EPOLLIN = 0x001;
        private const int EPOLL_CLOEXEC = 0x80000, EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
        private const int MSG_DONTWAIT = 0x40, EINTR = 4;

        // struct epoll_event is packed on x86-64 (12 bytes: events, then data at 4) and naturally aligned elsewhere (16, data at 8).
        private static readonly bool Packed = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
        public static readonly int EventSize = Packed ? 12 : 16;
        private static readonly int DataOffset = Packed ? 4 : 8;

        public static SafeFileHandle CreateEpoll() => Handle(epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
        public static SafeFileHandle CreateEventFd() => Handle(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");

        private static SafeFileHandle Handle(int fd, string call) =>
            fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new SocketException(Marshal.GetLastPInvokeError(), $"{call} failed");

        public static void Control(SafeFileHandle epoll, int op, SafeHandle fd, uint events, ulong data)
        {
            Span<byte> e = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(e, events);
            BinaryPrimitives.WriteUInt64LittleEndian(e[DataOffset..], data);
            if (epoll_ctl(epoll, op, fd, ref e[0]) != 0) throw new SocketException(Marshal.GetLastPInvokeError());
        }

        /// <summary>The number of events (0 when interrupted by a signal).</summary>
        public static int Wait(SafeFileHandle epoll, byte[] events, int timeout)
        {
            var count = epoll_wait(epoll, ref events[0], events.Length / EventSize, timeout);
            if (count >= 0) return count;
            var error = Marshal.GetLastPInvokeError();
            return error == EINTR ? 0 : throw new SocketException(error, "epoll_wait failed");
        }

        public static ulong EventData(byte[] events, int index) => BinaryPrimitives.ReadUInt64LittleEndian(events.AsSpan(index * EventSize + DataOffset));

        /// <summary>One datagram into <paramref name="buffer"/>, its sender into <paramref name="source"/>; -1 when there was none or an error.</summary>
        public static int ReceiveFrom(SafeSocketHandle socket, byte[] buffer, SocketAddress source)
        {
            // SocketAddress holds the native sockaddr: the kernel writes it in place.
            var size = source.Size;
            return (int)recvfrom(socket, ref buffer[0], (nuint)buffer.Length, MSG_DONTWAIT, ref MemoryMarshal.GetReference(source.Buffer.Span), ref size);
        }

        public static void Signal(SafeFileHandle eventFd)
        {
            ulong one = 1;
            _ = write(eventFd, ref one, sizeof(ulong));
        }

        public static void Sleep(long nanoseconds)
        {
            var time = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
            _ = nanosleep(ref time, IntPtr.Zero);
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [LibraryImport("libc", SetLastError = true)]
        private static partial int epoll_create1(int flags);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int epoll_ctl(SafeFileHandle epfd, int op, SafeHandle fd, ref byte @event);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int epoll_wait(SafeFileHandle epfd, ref byte events, int maxEvents, int timeout);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int eventfd(uint initial, int flags);

        [LibraryImport("libc", SetLastError = true)]
        private static partial nint write(SafeFileHandle fd, ref ulong buffer, nuint count);

        [LibraryImport("libc", SetLastError = true)]
        private static partial nint recvfrom(SafeSocketHandle socket, ref byte buffer, nuint length, int flags, ref byte address, ref int addressLength);

        [LibraryImport("libc")]
        private static partial int nanosleep(ref Timespec duration, IntPtr remaining);
    }
}
