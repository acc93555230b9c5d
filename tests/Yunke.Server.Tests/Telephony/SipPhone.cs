using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Yunke.Sip.Digest;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;

namespace Yunke.Server.Tests.Telephony;

/// <summary>
/// A small SIP phone for tests, over UDP or TCP from a chosen loopback address (127.0.0.x, so tests can
/// look like different sources to the rate limiter). It keeps one Call-ID and a growing CSeq for its
/// REGISTERs, like a real phone, and answers digest challenges with Yunke.Sip's <see cref="DigestClient"/>.
/// </summary>
public sealed class SipPhone : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Channel<SipMessage> received = Channel.CreateUnbounded<SipMessage>();
    private readonly CancellationTokenSource stopping = new();
    private readonly Socket socket;
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

    public string Transport { get; }
    public IPEndPoint Local { get; }
    public string CallId { get; set; } = $"{Guid.NewGuid():N}@test.phone";

    /// <param name="transport">UDP or TCP.</param>
    /// <param name="from">The loopback address to send from.</param>
    public static async Task<SipPhone> OpenAsync(string transport, int serverPort, string from = "127.0.0.1")
    {
        var server = new IPEndPoint(IPAddress.Loopback, serverPort);
        var local = new IPEndPoint(IPAddress.Parse(from), 0);
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
        if (Transport == "UDP") socket.SendTo(bytes, server);
        else socket.Send(bytes);
    }

    /// <summary>The final response with that Call-ID and CSeq number, skipping everything else; null when none came in time.</summary>
    public async Task<SipResponse?> ResponseAsync(string callId, uint cseqNumber, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Patience);
        try
        {
            while (true)
            {
                var message = await received.Reader.ReadAsync(timeout.Token);
                if (message is SipResponse { IsProvisional: false } r && r.CallId == callId && r.CSeq?.Number == cseqNumber) return r;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task ReceiveDatagramsAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
                if (SipParser.Parse(buffer.AsSpan(0, result.ReceivedBytes)).Message is { } m) received.Writer.TryWrite(m);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { }
        }
    }

    private async Task ReceiveStreamAsync()
    {
        var reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
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

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Dispose();
        stopping.Dispose();
    }
}
