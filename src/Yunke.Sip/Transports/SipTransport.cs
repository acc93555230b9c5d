using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Transports;

/// <summary>A listening transport: it turns bytes into <see cref="SipInbound"/> messages for its receiver and opens flows to peers.</summary>
public abstract class SipTransport : IAsyncDisposable
{
    private protected SipTransport(Action<SipInbound> receiver, SipTransportLimits? limits)
    {
        Receiver = receiver;
        Limits = limits ?? SipTransportLimits.Default;
    }

    public abstract SipTransportKind Kind { get; }
    /// <summary>The bound address (with the real port when bound to port 0).</summary>
    public abstract IPEndPoint LocalEndPoint { get; }
    public SipTransportLimits Limits { get; }
    private protected Action<SipInbound> Receiver { get; }

    /// <summary>A flow to a peer: an existing connection from or to it when there is one (RFC 5626 reuse), else a new one.</summary>
    public abstract ValueTask<SipFlow> GetFlowAsync(IPEndPoint remote, CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Parses one framed message and hands it on. A refused request is answered here with the parser's
    /// reason (RFC 3261 21.4.1) and a refused response is dropped (18.1.2), so the layers above only
    /// ever see valid messages.
    /// </summary>
    internal static void Deliver(ReadOnlyMemory<byte> bytes, SipFlow flow, IPEndPoint source, Action<SipInbound> receiver)
    {
        var result = SipParser.Parse(bytes.Span);
        if (!result.IsSuccess)
        {
            if (result.CreateErrorResponse() is { } answer) flow.Send(answer);
            return;
        }
        var message = result.Message!;
        if (message is SipRequest request)
        {
            StampVia(request, source);
            flow = flow.ForResponsesTo(request);
        }
        try
        {
            receiver(new SipInbound(message, bytes, flow, source));
        }
        catch (Exception)
        {
            // The receiver's own failure must not stop the receive loop that serves every other peer.
        }
    }

    /// <summary>
    /// Records where the request really came from on its top Via: received when the sent-by host differs
    /// from the source address (RFC 3261 18.2.1), and the source port in an empty rport (RFC 3581 4),
    /// so responses find their way back through NAT.
    /// </summary>
    internal static void StampVia(SipRequest request, IPEndPoint source)
    {
        var field = -1;
        for (var i = 0; i < request.Headers.Count && field < 0; i++)
            if (request.Headers[i].Name == SipHeaderNames.Via) field = i;
        // Validation parsed the top Via already; the request is not handed out yet, so the transport may change it.
        if (field < 0 || request.TopVia is not { } via) return;

        // A phone sends from the same address and port again and again: their text comes from SipStrings.
        Span<char> text = stackalloc char[64];
        var ip = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        var address = ip.TryFormat(text, out var length) ? SipStrings.Get(text[..length]) : ip.ToString();
        var rportAsked = via.HasRport && via.Rport is null;
        if (!rportAsked && via.Host.AsSpan().Trim("[]").Equals(address, StringComparison.OrdinalIgnoreCase)) return;
        via.Received = address;
        if (rportAsked && source.Port.TryFormat(text, out length, provider: CultureInfo.InvariantCulture))
            via.Parameters.Set("rport", SipStrings.Get(text[..length]));

        var value = request.Headers[field].Value;
        if (value.Contains(','))
        {
            var elements = SipSyntax.SplitList(value);
            elements[0] = via.ToString();
            value = string.Join(", ", elements);
        }
        else value = via.ToString();
        request.Headers.Replace(field, value);
        request.CacheTopVia(via);
    }

    /// <summary>Socket errors that only mean "this peer or socket is gone", never a bug.</summary>
    internal static bool IsDisconnectError(Exception e) =>
        e is SocketException or IOException or ObjectDisposedException or OperationCanceledException
            or System.Net.WebSockets.WebSocketException;
}
