using System.Net;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Transports;

public enum SipTransportKind { Udp, Tcp, WebSocket }

/// <summary>
/// Where a message can be sent back to: a UDP peer address, or one TCP or WebSocket connection.
/// Answering on the flow a request came in on is what lets responses and later requests reach a phone
/// behind NAT (RFC 5626 flow reuse; RFC 3581 for UDP). Sending never blocks: it queues or hands the
/// datagram to the socket, so it is safe from under a transaction's lock.
/// </summary>
public abstract class SipFlow
{
    public abstract SipTransportKind Kind { get; }
    public abstract IPEndPoint LocalEndPoint { get; }
    /// <summary>Where this flow sends to.</summary>
    public abstract IPEndPoint RemoteEndPoint { get; }

    /// <summary>Reliable flows need no retransmissions (RFC 3261 17).</summary>
    public bool IsReliable => Kind != SipTransportKind.Udp;

    /// <summary>The Via transport token for this flow (RFC 3261 18, RFC 7118 5).</summary>
    public string ViaTransport => Kind switch { SipTransportKind.Udp => "UDP", SipTransportKind.Tcp => "TCP", _ => "WS" };

    /// <summary>Queues the bytes; false when the flow is closed or its peer does not keep up.</summary>
    public abstract bool Send(ReadOnlyMemory<byte> bytes);

    /// <summary>Serialises and sends a message; a flow may do it without a copy of its own (UDP sends at once).</summary>
    public virtual bool Send(SipMessage message) => Send(message.ToBytes());

    /// <summary>The flow responses to this request go on; UDP picks the port by RFC 3581 rules.</summary>
    internal virtual SipFlow ForResponsesTo(SipRequest request) => this;

    public override string ToString() => $"{ViaTransport} {LocalEndPoint} <-> {RemoteEndPoint}";
}

/// <summary>A message a transport received, with the flow to answer on.</summary>
/// <param name="Bytes">The message exactly as received (without keep-alive CRLFs).</param>
/// <param name="Source">The address it came from (for UDP this may differ from the flow's remote end, see RFC 3581).</param>
public sealed record SipInbound(SipMessage Message, ReadOnlyMemory<byte> Bytes, SipFlow Flow, IPEndPoint Source)
{
    public SipTransportKind Kind => Flow.Kind;
    public IPEndPoint LocalEndPoint => Flow.LocalEndPoint;
}
