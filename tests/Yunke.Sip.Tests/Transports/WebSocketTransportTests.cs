using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Tests.Transports;

/// <summary>
/// RFC 7118 over a real loopback TCP connection. The HTTP upgrade is the host's job (ASP.NET Core at /sip),
/// so both ends here are made with <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.
/// </summary>
public sealed class WebSocketTransportTests : IAsyncLifetime
{
    private readonly TestSip.Core core = new();
    private readonly SipEndpoint endpoint;
    private readonly CancellationTokenSource stop = new();
    private TcpClient clientSide = null!;
    private TcpClient serverSide = null!;
    private WebSocket browser = null!;
    private Task serving = null!;
    private IPEndPoint browserAddress = null!;

    public WebSocketTransportTests() => endpoint = new SipEndpoint(core.HandleAsync,
        limits: new SipTransportLimits { MaxHeaderBytes = 2048, MaxBodyBytes = 2048 });

    public async Task InitializeAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        clientSide = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync();
        await clientSide.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        serverSide = await accepting;
        listener.Stop();

        var server = WebSocket.CreateFromStream(serverSide.GetStream(),
            new WebSocketCreationOptions { IsServer = true, SubProtocol = SipWebSocketConnection.SubProtocol });
        browser = WebSocket.CreateFromStream(clientSide.GetStream(),
            new WebSocketCreationOptions { IsServer = false, SubProtocol = SipWebSocketConnection.SubProtocol });
        browserAddress = (IPEndPoint)clientSide.Client.LocalEndPoint!;
        serving = endpoint.RunWebSocketAsync(server, (IPEndPoint)serverSide.Client.LocalEndPoint!, browserAddress, stop.Token);
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await serving.WaitAsync(TestSip.Patience);
        browser.Dispose();
        clientSide.Dispose();
        serverSide.Dispose();
        await endpoint.DisposeAsync();
    }

    private string Options(string callId) => TestSip.Options(callId, "WS", browserAddress.Port).Replace("127.0.0.1:", "df7jal23ls0d.invalid:");

    private async Task<(WebSocketMessageType Type, SipMessage? Message)> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TestSip.Patience);
        var buffer = new byte[8192];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await browser.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
        } while (!result.EndOfMessage);
        return (result.MessageType, result.MessageType == WebSocketMessageType.Close ? null : SipParser.Parse(buffer.AsSpan(0, length)).Message);
    }

    [Fact]
    public async Task Options_in_a_text_frame_is_answered_in_a_text_frame()
    {
        await browser.SendAsync(Encoding.UTF8.GetBytes(Options("ws-1")), WebSocketMessageType.Text, true, default);

        var (type, message) = await ReceiveAsync();

        type.ShouldBe(WebSocketMessageType.Text);
        var response = message.ShouldBeOfType<SipResponse>();
        response.StatusCode.ShouldBe(200);
        response.CallId.ShouldBe("ws-1");
        response.Vias.Single().Received.ShouldBe("127.0.0.1"); // the .invalid host of RFC 7118 browsers
        var incoming = core.Requests.Single();
        incoming.Inbound.Kind.ShouldBe(SipTransportKind.WebSocket);
        incoming.Inbound.Flow.ViaTransport.ShouldBe("WS");
        incoming.Inbound.Source.ShouldBe(browserAddress);
    }

    [Fact]
    public async Task A_message_in_several_binary_fragments_is_one_message()
    {
        var bytes = Encoding.UTF8.GetBytes(Options("ws-fragments"));
        await browser.SendAsync(bytes.AsMemory(0, 40), WebSocketMessageType.Binary, false, default);
        await browser.SendAsync(bytes.AsMemory(40), WebSocketMessageType.Binary, true, default);

        var (_, message) = await ReceiveAsync();

        message!.CallId.ShouldBe("ws-fragments");
        core.Handled.ShouldBe(1);
    }

    [Fact]
    public async Task A_message_over_the_cap_closes_the_socket_with_message_too_big()
    {
        var padding = $"X-Padding: {new string('a', 5000)}\r\n";
        await browser.SendAsync(Encoding.UTF8.GetBytes(TestSip.Options("ws-big", "WS", 1, extraHeaders: padding)), WebSocketMessageType.Text, true, default);

        var (type, _) = await ReceiveAsync();

        type.ShouldBe(WebSocketMessageType.Close);
        browser.CloseStatus.ShouldBe(WebSocketCloseStatus.MessageTooBig);
        await serving.WaitAsync(TestSip.Patience);
        core.Handled.ShouldBe(0);
    }

    [Fact]
    public async Task A_double_crlf_ping_is_answered_with_a_crlf_pong()
    {
        await browser.SendAsync("\r\n\r\n"u8.ToArray(), WebSocketMessageType.Text, true, default);

        using var timeout = new CancellationTokenSource(TestSip.Patience);
        var buffer = new byte[16];
        var result = await browser.ReceiveAsync(buffer.AsMemory(), timeout.Token);

        buffer[..result.Count].ShouldBe("\r\n"u8.ToArray());
        core.Handled.ShouldBe(0);
    }

    [Fact]
    public async Task The_connection_ends_when_the_browser_closes()
    {
        await browser.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", default);

        await serving.WaitAsync(TestSip.Patience);
        serving.IsCompletedSuccessfully.ShouldBeTrue();
    }
}
