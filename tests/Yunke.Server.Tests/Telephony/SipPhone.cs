using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.TestHost;
using Yunke.Sip.Digest;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;

namespace Yunke.Server.Tests.Telephony;

/// <summary>
/// A small SIP phone for tests, over UDP or TCP from a chosen loopback address, or over WebSocket as a browser phone (127.0.0.x, so tests can
/// look like different sources to the rate limiter). It keeps one Call-ID and a growing CSeq for its
/// REGISTERs, like a real phone, and answers digest challenges with Yunke.Sip's <see cref="DigestClient"/>.
/// </summary>
public sealed class SipPhone : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Channel<SipMessage> received = Channel.CreateUnbounded<SipMessage>();
    private readonly List<SipMessage> kept = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly Socket? socket;
    // RFC 7118: one SIP message per WebSocket message.
    private readonly WebSocket? webSocket;
    private readonly Lock sending = new();
    private readonly IPEndPoint server;
    private uint cseq;

    private SipPhone(Socket socket, IPEndPoint server, string transport)
    {
        this.socket = socket;
        this.server = server;
        Transport = transport;
        Local = (IPEndPoint)socket.LocalEndPoint!;
        _ = Task.Run(transport == "UDP" ? ReceiveDatagramsAsync : ReceiveStreamAsync);
    }

    private SipPhone(WebSocket webSocket, IPEndPoint server)
    {
        this.webSocket = webSocket;
        this.server = server;
        Transport = "WS";
        // A browser has no address of its own to give: what it puts in Via and Contact is never used to reach it,
        // Yunke answers and calls it on the WebSocket connection it registered over.
        Local = new IPEndPoint(IPAddress.Loopback, Random.Shared.Next(50000, 60000));
        _ = Task.Run(ReceiveWebSocketAsync);
    }

    /// <summary>A browser-like phone on Yunke's SIP WebSocket endpoint (<c>/sip</c>, subprotocol <c>sip</c>).</summary>
    public static async Task<SipPhone> OpenWebSocketAsync(WebSocketClient client, Uri baseAddress, int serverPort)
    {
        client.SubProtocols.Add("sip");
        var webSocket = await client.ConnectAsync(new Uri(baseAddress, "sip"), CancellationToken.None);
        return new SipPhone(webSocket, new IPEndPoint(IPAddress.Loopback, serverPort));
    }

    public string Transport { get; }
    public IPEndPoint Local { get; }
    public string CallId { get; set; } = $"{Guid.NewGuid():N}@test.phone";

    /// <param name="transport">UDP or TCP.</param>
    /// <param name="from">The loopback address to send from.</param>
    /// <param name="localPort">The port to send from (0: any), e.g. a trunk's port Yunke is configured to call.</param>
    public static async Task<SipPhone> OpenAsync(string transport, int serverPort, string from = "127.0.0.1", int localPort = 0)
    {
        var server = new IPEndPoint(IPAddress.Loopback, serverPort);
        var local = new IPEndPoint(IPAddress.Parse(from), localPort);
        if (transport == "UDP")
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(local);
            return new SipPhone(udp, server, transport);
        }
        var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(local);
        await tcp.ConnectAsync(server);
        return new SipPhone(tcp, server, transport);
    }

    /// <summary>A contact of this phone: its own address, as a phone puts it in Contact.</summary>
    public string Contact(string user, string? parameters = null) =>
        $"<sip:{user}@{Local.Address}:{Local.Port};transport={Transport.ToLowerInvariant()}>{parameters}";

    /// <summary>
    /// A REGISTER for the number; answers a 401 with credentials for <paramref name="password"/> (in the same
    /// transaction chain, CSeq+1) and returns the final response.
    /// </summary>
    public async Task<SipResponse> RegisterAsync(string number, string password, IEnumerable<string>? contacts = null, int? expires = null)
    {
        var contactLines = (contacts ?? [Contact(number)]).Select(c => $"Contact: {c}\r\n").ToList();
        var expiresLine = expires is { } e ? $"Expires: {e}\r\n" : "";
        var first = await SendAsync(Register(number, contactLines, expiresLine, ""));
        if (first.StatusCode != 401) return first;
        DigestChallenge.TryParse(first.Headers.Get(SipHeaderNames.WwwAuthenticate)!, out var challenge, out _).ShouldBeTrue();
        var uri = $"sip:{server.Address}:{server.Port}";
        var credentials = DigestClient.CreateCredentials(challenge, number, password, "REGISTER", uri);
        return await SendAsync(Register(number, contactLines, expiresLine, $"Authorization: {credentials}\r\n"));
    }

    /// <summary>The text of a REGISTER with this phone's Call-ID and the next CSeq.</summary>
    public string Register(string number, IEnumerable<string> contactLines, string expiresLine, string authorizationLine) =>
        $"REGISTER sip:{server.Address}:{server.Port} SIP/2.0\r\n" +
        $"Via: SIP/2.0/{Transport} {Local.Address}:{Local.Port};rport;branch={SipEndpoint.NewBranch()}\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:{number}@{server.Address}>;tag={SipEndpoint.NewToken()}\r\n" +
        $"To: <sip:{number}@{server.Address}>\r\n" +
        $"Call-ID: {CallId}\r\nCSeq: {++cseq} REGISTER\r\n" +
        string.Concat(contactLines) + expiresLine + authorizationLine +
        "User-Agent: Yunke test phone\r\nContent-Length: 0\r\n\r\n";

    /// <summary>A request of any method with a fresh Call-ID.</summary>
    public string Request(string method, string callId, string extraHeaders = "") =>
        $"{method} sip:yunke@{server.Address}:{server.Port} SIP/2.0\r\n" +
        $"Via: SIP/2.0/{Transport} {Local.Address}:{Local.Port};rport;branch={SipEndpoint.NewBranch()}\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:test@{Local.Address}>;tag={SipEndpoint.NewToken()}\r\nTo: <sip:yunke@{server.Address}>\r\n" +
        $"Call-ID: {callId}\r\nCSeq: 1 {method}\r\n{extraHeaders}Content-Length: 0\r\n\r\n";

    /// <summary>Sends a request and waits for its final response (matched by Call-ID and CSeq).</summary>
    public async Task<SipResponse> SendAsync(string request)
    {
        var parsed = (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(request)).Message!;
        SendRaw(Encoding.UTF8.GetBytes(request));
        return await ResponseAsync(parsed.CallId!, parsed.CSeq!.Value.Number)
            ?? throw new TimeoutException($"No answer to {parsed.Method} {parsed.CallId} over {Transport}");
    }

    public void SendRaw(byte[] bytes)
    {
        if (webSocket is not null)
            lock (sending) webSocket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None).GetAwaiter().GetResult();
        else if (Transport == "UDP") socket!.SendTo(bytes, server);
        else socket!.Send(bytes);
    }

    /// <summary>The final response with that Call-ID and CSeq number; null when none came in time.</summary>
    public async Task<SipResponse?> ResponseAsync(string callId, uint cseqNumber, TimeSpan? within = null) =>
        (SipResponse?)await NextAsync(m => m is SipResponse { IsProvisional: false } r && r.CallId == callId && r.CSeq?.Number == cseqNumber, within);

    /// <summary>
    /// The next received message that matches, or null when none came in time. Messages that do not match are
    /// kept for later calls, so a test can wait for a 200 while a BYE or a retransmission arrives meanwhile.
    /// </summary>
    public async Task<SipMessage?> NextAsync(Func<SipMessage, bool> match, TimeSpan? within = null)
    {
        lock (kept)
        {
            var index = kept.FindIndex(m => match(m));
            if (index >= 0)
            {
                var found = kept[index];
                kept.RemoveAt(index);
                return found;
            }
        }
        using var timeout = new CancellationTokenSource(within ?? Patience);
        try
        {
            while (true)
            {
                var message = await received.Reader.ReadAsync(timeout.Token);
                if (match(message)) return message;
                lock (kept) kept.Add(message);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Sends a message as is (a response, an ACK).</summary>
    public void Send(SipMessage message) => SendRaw(message.ToBytes());

    private async Task ReceiveDatagramsAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var result = await socket!.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
                if (SipParser.Parse(buffer.AsSpan(0, result.ReceivedBytes)).Message is { } m) received.Writer.TryWrite(m);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { }
        }
    }

    private async Task ReceiveStreamAsync()
    {
        var reader = PipeReader.Create(new NetworkStream(socket!, ownsSocket: false));
        var framer = new SipStreamFramer();
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(stopping.Token);
                var buffer = read.Buffer;
                while (framer.TryReadMessage(ref buffer, out var bytes) == SipFrameStatus.Message)
                    if (SipParser.Parse(bytes.ToArray()).Message is { } m) received.Writer.TryWrite(m);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted) return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException) { }
    }

    private async Task ReceiveWebSocketAsync()
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await webSocket!.ReceiveAsync(buffer.AsMemory(length), stopping.Token);
                    length += result.Count;
                } while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) return;
                if (SipParser.Parse(buffer.AsSpan(0, length)).Message is { } m) received.Writer.TryWrite(m);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket?.Dispose();
        webSocket?.Dispose();
        stopping.Dispose();
    }
}
