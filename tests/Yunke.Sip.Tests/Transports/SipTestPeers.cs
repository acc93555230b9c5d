using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Tests.Transports;

/// <summary>Messages and a handler shared by the transport tests.</summary>
internal static class TestSip
{
    public static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static string Options(string callId, string transport, int port, string? branch = null, string extraHeaders = "") =>
        $"OPTIONS sip:yunke@127.0.0.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/{transport} 127.0.0.1:{port};rport;branch={branch ?? SipEndpoint.NewBranch()}\r\n" +
        $"Max-Forwards: 70\r\nFrom: <sip:phone@127.0.0.1>;tag=p1\r\nTo: <sip:yunke@127.0.0.1>\r\n" +
        $"Call-ID: {callId}\r\nCSeq: 1 OPTIONS\r\n{extraHeaders}Content-Length: 0\r\n\r\n";

    /// <summary>What the server core will do: OPTIONS 200 with Allow, everything else 501 (and count what came).</summary>
    public sealed class Core
    {
        private int handled;
        public int Handled => Volatile.Read(ref handled);
        public List<SipIncomingRequest> Requests { get; } = [];

        public Task HandleAsync(SipIncomingRequest incoming)
        {
            Interlocked.Increment(ref handled);
            lock (Requests) Requests.Add(incoming);
            if (incoming.Request.Method == "OPTIONS")
            {
                var ok = incoming.CreateResponse(200, "OK");
                ok.Headers.Add("Allow", "OPTIONS, REGISTER");
                incoming.Respond(ok);
            }
            else incoming.Respond(501, "Not Implemented");
            return Task.CompletedTask;
        }
    }
}

/// <summary>A phone's UDP socket.</summary>
internal sealed class UdpPeer : IDisposable
{
    private readonly UdpClient client = new(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)client.Client.LocalEndPoint!).Port;

    public void Send(string text, IPEndPoint to) => Send(Encoding.UTF8.GetBytes(text), to);
    public void Send(byte[] bytes, IPEndPoint to) => client.Send(bytes, bytes.Length, to);

    /// <summary>The next message, or null when nothing came in time.</summary>
    public async Task<(SipMessage Message, IPEndPoint From)?> ReceiveAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TestSip.Patience);
        try
        {
            var result = await client.ReceiveAsync(timeout.Token);
            return (SipParser.Parse(result.Buffer).Message!, result.RemoteEndPoint);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The next response for that Call-ID, skipping others.</summary>
    public async Task<SipResponse?> ResponseForAsync(string callId, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TestSip.Patience);
        while (DateTime.UtcNow < deadline)
        {
            var next = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (next is null) return null;
            if (next.Value.Message is SipResponse r && r.CallId == callId) return r;
        }
        return null;
    }

    public void Dispose() => client.Dispose();
}

/// <summary>A phone's TCP connection: writes raw bytes, reads framed messages and bare CRLF pongs.</summary>
internal sealed class TcpPeer : IDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly SipStreamFramer framer = new();
    private byte[] pending = [];

    public static async Task<TcpPeer> ConnectAsync(IPEndPoint server)
    {
        var peer = new TcpPeer();
        await peer.socket.ConnectAsync(server);
        peer.socket.NoDelay = true;
        return peer;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;
    public int Port => LocalEndPoint.Port;

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));
    public async Task SendAsync(byte[] bytes) => await socket.SendAsync(bytes);

    /// <summary>Raw bytes as they come (for the CRLF pong), or empty when the server closed the connection.</summary>
    public async Task<byte[]?> ReadRawAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TestSip.Patience);
        var buffer = new byte[65536];
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return buffer[..n];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return []; // reset by the server: closed too
        }
    }

    /// <summary>The next whole message, or null when the connection closed or nothing came in time.</summary>
    public async Task<SipMessage?> ReceiveAsync(TimeSpan? within = null)
    {
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(pending);
            if (framer.TryReadMessage(ref buffer, out var message) == SipFrameStatus.Message)
            {
                pending = buffer.ToArray();
                return SipParser.Parse(message).Message;
            }
            pending = buffer.ToArray();
            var more = await ReadRawAsync(within);
            if (more is null || more.Length == 0) return null;
            pending = [.. pending, .. more];
        }
    }

    /// <summary>True when the server closes the connection within the time.</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var read = await ReadRawAsync(deadline - DateTime.UtcNow);
            if (read is null) return false;
            if (read.Length == 0) return true;
        }
        return false;
    }

    public void Dispose() => socket.Dispose();
}
