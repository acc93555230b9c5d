using Org.BouncyCastle.Tls;

namespace Yunke.Media.Dtls;

/// <summary>
/// The datagram transport BouncyCastle's DTLS reads and writes, for a socket it does not own: a browser call's
/// ICE, DTLS and SRTP share one UDP socket whose receive loop belongs to the media session, which hands the DTLS
/// datagrams in (<see cref="Deliver"/>, any thread, never blocks) and sends what DTLS writes through a callback.
/// Bounded: a flood is dropped here, as the network would drop it, rather than queued without end.
/// </summary>
internal sealed class DatagramQueue(Action<ReadOnlySpan<byte>> send, int mtu, int capacity = 64) : DatagramTransport
{
    // Larger than any datagram a path MTU lets through; longer ones are cut (DTLS then discards the record).
    private const int ReceiveLimit = 1500;

    private readonly Queue<byte[]> received = new();
    private Exception? closedWith;

    /// <summary>Datagrams dropped because the queue was full or closed.</summary>
    public long Dropped { get; private set; }

    public int Count
    {
        get { lock (received) return received.Count; }
    }

    public void Deliver(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
            return;
        var copy = datagram[..Math.Min(datagram.Length, ReceiveLimit)].ToArray();
        lock (received)
        {
            if (closedWith is not null || received.Count >= capacity)
            {
                Dropped++;
                return;
            }
            received.Enqueue(copy);
            Monitor.Pulse(received);
        }
    }

    /// <summary>Forgets what is queued (DTLS did not want it).</summary>
    public void Clear()
    {
        lock (received)
            received.Clear();
    }

    /// <summary>Wakes a waiting <see cref="Receive(byte[],int,int,int)"/> with this exception, and every later one:
    /// how a timeout, a cancellation or the end of the call stops a handshake blocked on the network.</summary>
    public void Abort(Exception reason)
    {
        lock (received)
        {
            closedWith ??= reason;
            received.Clear();
            Monitor.PulseAll(received);
        }
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <returns>The datagram's length, or -1 when none came within <paramref name="waitMillis"/> (0: no limit).</returns>
    public int Receive(Span<byte> buffer, int waitMillis)
    {
        var deadline = waitMillis > 0 ? Environment.TickCount64 + waitMillis : long.MaxValue;
        lock (received)
        {
            while (received.Count == 0)
            {
                if (closedWith is not null)
                    throw new IOException("The DTLS transport is closed.", closedWith);
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                    return -1;
                Monitor.Wait(received, (int)Math.Min(left, int.MaxValue));
            }
            if (closedWith is not null)
                throw new IOException("The DTLS transport is closed.", closedWith);
            var datagram = received.Dequeue();
            var length = Math.Min(datagram.Length, buffer.Length);
            datagram.AsSpan(0, length).CopyTo(buffer);
            return length;
        }
    }

    public void Send(byte[] buf, int off, int len) => send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer) => send(buffer);

    public void Close() => Abort(new ObjectDisposedException(nameof(DatagramQueue)));
}
