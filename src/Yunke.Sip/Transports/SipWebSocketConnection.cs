using System.Net;
using System.Net.WebSockets;
using System.Text.Unicode;

namespace Yunke.Sip.Transports;

/// <summary>
/// SIP over WebSocket (RFC 7118): one SIP message per WebSocket message, text or binary. The HTTP side
/// (upgrade at <c>/sip</c>, subprotocol <see cref="SubProtocol"/>) belongs to the host; it hands the
/// accepted socket here and awaits <see cref="RunAsync"/>.
/// </summary>
public sealed class SipWebSocketConnection : SipConnection
{
    /// <summary>The WebSocket subprotocol a SIP client must ask for (RFC 7118 4.1).</summary>
    public const string SubProtocol = "sip";

    private readonly WebSocket socket;
    private readonly Action<SipInbound> receiver;

    public SipWebSocketConnection(WebSocket socket, IPEndPoint local, IPEndPoint remote, Action<SipInbound> receiver, SipTransportLimits? limits = null)
        : base(local, remote, limits ?? SipTransportLimits.Default)
    {
        this.socket = socket;
        this.receiver = receiver;
    }

    public override SipTransportKind Kind => SipTransportKind.WebSocket;

    /// <summary>Receives until the peer closes, a limit is crossed, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await using var registration = cancellationToken.Register(Close);
        await base.RunAsync();
    }

    private protected override async Task ReadLoopAsync()
    {
        // The whole message must be in hand before parsing; the cap bounds what a peer can make us hold.
        var capacity = Limits.MaxHeaderBytes + Limits.MaxBodyBytes;
        var buffer = new byte[capacity];
        while (socket.State == WebSocketState.Open)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            // No idle limit between messages: browser phones may stay silent between re-registrations, and
            // the host's WebSocket pings find dead peers. Within a message, the slow-loris limit applies.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Closing);
            do
            {
                if (length == capacity)
                {
                    await CloseSocketAsync(WebSocketCloseStatus.MessageTooBig, "SIP message too large");
                    return;
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), deadline.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseSocketAsync(WebSocketCloseStatus.NormalClosure, null);
                    return;
                }
                if (length == 0) deadline.CancelAfter(Limits.MessageTimeout);
                length += result.Count;
            } while (!result.EndOfMessage);

            var message = buffer.AsSpan(0, length);
            if (message.TrimStart("\r\n"u8).IsEmpty)
            {
                // Browser stacks (SIP.js) ping with a double CRLF as on TCP and expect the same pong.
                if (length >= 4) Send(Pong);
                continue;
            }
            SipTransport.Deliver(message.ToArray(), this, RemoteEndPoint, receiver);
        }
    }

    private async Task CloseSocketAsync(WebSocketCloseStatus status, string? reason)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (SipTransport.IsDisconnectError(e))
        {
        }
    }

    // Text frames when the message is valid UTF-8 (what browser stacks expect), binary otherwise (RFC 7118 5).
    private protected override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        socket.SendAsync(bytes, Utf8.IsValid(bytes.Span) ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, cancellationToken);

    private protected override void OnClosed() => socket.Abort();
}
