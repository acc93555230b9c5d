using System.Net;
using System.Threading.Channels;

namespace Yunke.Sip.Transports;

/// <summary>
/// A connection-oriented flow (TCP, WebSocket): sends go through a queue bounded in bytes, drained by one writer,
/// because a stream takes one write at a time and a caller (a transaction under its lock) must never wait on a peer.
/// </summary>
public abstract class SipConnection : SipFlow
{
    /// <summary>The answer to a double-CRLF keep-alive ping (RFC 5626 4.4.1).</summary>
    private protected static readonly ReadOnlyMemory<byte> Pong = "\r\n"u8.ToArray();
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);
    private readonly Channel<ReadOnlyMemory<byte>> outgoing;
    private readonly CancellationTokenSource closing = new();
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int closed;
    private long queuedBytes;
    private volatile bool readEnded;

    private protected SipConnection(IPEndPoint local, IPEndPoint remote, SipTransportLimits limits)
    {
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        Limits = limits;
        outgoing = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
    }

    public override IPEndPoint LocalEndPoint { get; }
    public override IPEndPoint RemoteEndPoint { get; }
    public bool IsClosed => Volatile.Read(ref closed) != 0;

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    public Task Completion => completion.Task;

    private protected SipTransportLimits Limits { get; }
    private protected CancellationToken Closing => closing.Token;

    public override bool Send(ReadOnlyMemory<byte> bytes)
    {
        if (IsClosed || readEnded) return false;
        if (Interlocked.Add(ref queuedBytes, bytes.Length) <= Limits.MaxQueuedBytes && outgoing.Writer.TryWrite(bytes)) return true;
        // The queue is full: the peer does not read. Holding more for it would let it exhaust our memory.
        Close();
        return false;
    }

    /// <summary>Closes the connection at once; pending sends are dropped.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref closed, 1) != 0) return;
        outgoing.Writer.TryComplete();
        closing.Cancel();
        OnClosed();
        completion.TrySetResult();
    }

    /// <summary>Runs the reader and the writer until either ends, then closes.</summary>
    private protected async Task RunAsync()
    {
        var writing = WriteLoopAsync();
        try
        {
            await ReadLoopAsync();
        }
        catch (Exception e) when (SipTransport.IsDisconnectError(e))
        {
        }
        finally
        {
            // What was queued before the read side ended (say, the answer to the message before an
            // over-size one) still goes out, briefly, before the socket closes.
            readEnded = true;
            outgoing.Writer.TryComplete();
        }
        try { await writing.WaitAsync(FlushTimeout); } catch (Exception e) when (e is TimeoutException || SipTransport.IsDisconnectError(e)) { }
        Close();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var bytes in outgoing.Reader.ReadAllAsync(Closing))
            {
                await WriteAsync(bytes, Closing);
                Interlocked.Add(ref queuedBytes, -bytes.Length);
            }
        }
        finally
        {
            Close();
        }
    }

    private protected abstract Task ReadLoopAsync();
    private protected abstract ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);
    /// <summary>Releases the socket; called once.</summary>
    private protected abstract void OnClosed();
}
