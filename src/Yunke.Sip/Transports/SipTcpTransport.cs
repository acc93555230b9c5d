using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Transports;

/// <summary>
/// SIP over TCP: accepts connections, keeps one per peer address for reuse in both directions
/// (responses and later requests go back over the connection the peer opened, RFC 5626), and bounds
/// what each connection may cost (<see cref="SipTransportLimits"/>).
/// </summary>
public sealed class SipTcpTransport : SipTransport
{
    private readonly Socket listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<IPEndPoint, SipTcpConnection> connections = new();
    private readonly Task accepting;

    private SipTcpTransport(Socket listener, Action<SipInbound> receiver, SipTransportLimits? limits) : base(receiver, limits)
    {
        this.listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Listens on the address; each valid message goes to <paramref name="receiver"/> on its connection's read loop, so it must not block.</summary>
    public static SipTcpTransport Listen(IPEndPoint local, Action<SipInbound> receiver, SipTransportLimits? limits = null)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(local);
            socket.Listen(512);
            return new SipTcpTransport(socket, receiver, limits);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override SipTransportKind Kind => SipTransportKind.Tcp;
    public override IPEndPoint LocalEndPoint { get; }

    /// <summary>Open connections, accepted and outgoing.</summary>
    public int ConnectionCount => connections.Count;

    public override async ValueTask<SipFlow> GetFlowAsync(IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        if (connections.TryGetValue(remote, out var existing) && !existing.IsClosed) return existing;
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(remote, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return Track(socket);
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping.Token);
            }
            catch (SocketException)
            {
                continue; // the peer gave up before we accepted
            }
            catch (Exception e) when (IsDisconnectError(e))
            {
                return;
            }
            if (connections.Count >= Limits.MaxConnections)
            {
                // Refusing the newcomer keeps the connections already serving phones alive.
                socket.Dispose();
                continue;
            }
            Track(socket);
        }
    }

    private SipTcpConnection Track(Socket socket)
    {
        socket.NoDelay = true;
        var connection = new SipTcpConnection(socket, Receiver, Limits);
        var remote = connection.RemoteEndPoint;
        if (connections.TryRemove(remote, out var previous)) previous.Close();
        connections[remote] = connection;
        _ = connection.Completion.ContinueWith(_ => connections.TryRemove(new KeyValuePair<IPEndPoint, SipTcpConnection>(remote, connection)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        connection.Start();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Dispose();
        try { await accepting; } catch (Exception e) when (IsDisconnectError(e)) { }
        foreach (var connection in connections.Values) connection.Close();
        stopping.Dispose();
    }
}

/// <summary>One TCP connection: framing by Content-Length, CRLF keep-alive answered, idle and slow-loris cut-offs.</summary>
internal sealed class SipTcpConnection : SipConnection
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly Action<SipInbound> receiver;

    internal SipTcpConnection(Socket socket, Action<SipInbound> receiver, SipTransportLimits limits)
        : base((IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!, limits)
    {
        this.socket = socket;
        this.receiver = receiver;
        stream = new NetworkStream(socket, ownsSocket: true);
    }

    public override SipTransportKind Kind => SipTransportKind.Tcp;

    internal void Start() => _ = Task.Run(RunAsync);

    private protected override async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var framer = new SipStreamFramer(Limits.MaxHeaderBytes, Limits.MaxBodyBytes);
        long? messageStarted = null;
        try
        {
            while (true)
            {
                // While a message is incomplete the deadline is fixed by when it began, so trickling
                // a byte at a time does not keep a connection (and its buffer) alive: slow-loris.
                var timeout = messageStarted is { } started ? Limits.MessageTimeout - Stopwatch.GetElapsedTime(started) : Limits.IdleTimeout;
                if (timeout <= TimeSpan.Zero) return;
                ReadResult result;
                using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Closing))
                {
                    deadline.CancelAfter(timeout);
                    try
                    {
                        result = await reader.ReadAsync(deadline.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                var buffer = result.Buffer;
                var pings = framer.PingsReceived;
                var framed = false;
                while (true)
                {
                    var status = framer.TryReadMessage(ref buffer, out var message);
                    if (status == SipFrameStatus.Error) return; // over a limit or unframeable: no way to find the next message
                    if (status == SipFrameStatus.NeedMoreData) break;
                    framed = true;
                    SipTransport.Deliver(message.ToArray(), this, RemoteEndPoint, receiver);
                }
                for (var i = pings; i < framer.PingsReceived; i++) Send(Pong); // RFC 5626 4.4.1
                if (buffer.IsEmpty) messageStarted = null;
                else if (framed || messageStarted is null) messageStarted = Stopwatch.GetTimestamp();
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return;
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private protected override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        stream.WriteAsync(bytes, cancellationToken);

    private protected override void OnClosed()
    {
        try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        stream.Dispose();
    }
}
