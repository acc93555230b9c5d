using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Transports;

/// <summary>
/// SIP over UDP: one socket per listening address, which also sends, so replies leave from the port the peer knows.
/// Datagrams are read by threads of the transport's own, each blocked in <c>recvfrom</c> on the one socket as
/// Kamailio's UDP workers are: no thread-pool round trip and no allocation per datagram but the message itself,
/// and parsing goes on in parallel. Each thread keeps the flows of the peers it has heard from, so answering a
/// known peer does not build or serialise an address again.
/// </summary>
public sealed class SipUdpTransport : SipTransport
{
    // Peers whose flow is kept; past it the set starts again (a stranger spraying source ports costs no memory).
    private const int MaxKnownPeers = 16_384;

    private readonly Socket socket;
    private readonly Thread[] receiving;
    private volatile bool stopping;

    private SipUdpTransport(Socket socket, Action<SipInbound> receiver, SipTransportLimits? limits, int threads) : base(receiver, limits)
    {
        this.socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        receiving = Enumerable.Range(0, threads)
            .Select(i => new Thread(ReceiveLoop) { IsBackground = true, Name = $"SIP UDP {LocalEndPoint} #{i + 1}" }).ToArray();
        foreach (var thread in receiving) thread.Start();
    }

    /// <summary>
    /// Binds the address and starts receiving; each valid message goes to <paramref name="receiver"/> on a receive
    /// thread, so it must not block. <paramref name="threads"/> receive threads (one per core when not given).
    /// </summary>
    public static SipUdpTransport Bind(IPEndPoint local, Action<SipInbound> receiver, SipTransportLimits? limits = null, int? threads = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(threads));
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = (limits ?? SipTransportLimits.Default).UdpReceiveBufferBytes;
            socket.Bind(local);
            return new SipUdpTransport(socket, receiver, limits, count);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override SipTransportKind Kind => SipTransportKind.Udp;
    public override IPEndPoint LocalEndPoint { get; }

    public override ValueTask<SipFlow> GetFlowAsync(IPEndPoint remote, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<SipFlow>(new UdpFlow(this, remote));

    private void ReceiveLoop()
    {
        // One byte over the cap tells an over-size datagram from one that just fits.
        var buffer = new byte[Limits.MaxDatagramBytes + 1];
        var source = new SocketAddress(LocalEndPoint.AddressFamily);
        var peers = new Dictionary<SocketAddress, UdpFlow>();
        while (!stopping)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, source);
            }
            catch (Exception e) when (IsDisconnectError(e))
            {
                if (stopping || e is ObjectDisposedException) return;
                continue; // e.g. an ICMP port-unreachable reported for an earlier send: not our problem
            }
            if (received > Limits.MaxDatagramBytes) continue;
            var bytes = buffer.AsSpan(0, received);
            // Keep-alives (CRLFs; RFC 5626 uses STUN on UDP, which is not SIP either) need no answer.
            if (bytes.TrimStart("\r\n"u8).IsEmpty) continue;
            var flow = FlowFrom(peers, source);
            Deliver(bytes.ToArray(), flow, flow.RemoteEndPoint, Receiver);
        }
    }

    // Each receive thread has its own peer set: no locking.
    private UdpFlow FlowFrom(Dictionary<SocketAddress, UdpFlow> peers, SocketAddress source)
    {
        if (peers.TryGetValue(source, out var known)) return known;
        if (peers.Count >= MaxKnownPeers) peers.Clear();
        var address = new SocketAddress(source.Family, source.Size);
        source.Buffer.CopyTo(address.Buffer);
        var flow = new UdpFlow(this, (IPEndPoint)LocalEndPoint.Create(address), address);
        peers[address] = flow;
        return flow;
    }

    private bool SendTo(ReadOnlySpan<byte> bytes, SocketAddress remote)
    {
        if (bytes.Length > Limits.MaxDatagramBytes) return false;
        try
        {
            // A UDP send does not wait for the peer: it is safe to do inline.
            socket.SendTo(bytes, SocketFlags.None, remote);
            return true;
        }
        catch (Exception e) when (IsDisconnectError(e))
        {
            return false;
        }
    }

    public override ValueTask DisposeAsync()
    {
        stopping = true;
        // Closing the socket wakes the receive threads out of recvfrom.
        socket.Dispose();
        foreach (var thread in receiving)
            if (thread != Thread.CurrentThread) thread.Join(TimeSpan.FromSeconds(5));
        return ValueTask.CompletedTask;
    }

    private sealed class UdpFlow(SipUdpTransport transport, IPEndPoint remote, SocketAddress address) : SipFlow
    {
        // Responses are written here and sent from here: nothing to allocate per message on UDP.
        [ThreadStatic] private static ArrayBufferWriter<byte>? output;

        public UdpFlow(SipUdpTransport transport, IPEndPoint remote) : this(transport, remote, remote.Serialize()) { }

        public override SipTransportKind Kind => SipTransportKind.Udp;
        public override IPEndPoint LocalEndPoint => transport.LocalEndPoint;
        public override IPEndPoint RemoteEndPoint => remote;

        public override bool Send(ReadOnlyMemory<byte> bytes) => transport.SendTo(bytes.Span, address);

        public override bool Send(SipMessage message)
        {
            var writer = output ??= new ArrayBufferWriter<byte>(2048);
            writer.ResetWrittenCount();
            message.WriteTo(writer);
            return transport.SendTo(writer.WrittenSpan, address);
        }

        /// <summary>
        /// RFC 3261 18.2.2 with RFC 3581: to the source port when the client asked for rport, else to
        /// the port in its Via (default 5060) at the address the request came from.
        /// </summary>
        internal override SipFlow ForResponsesTo(SipRequest request)
        {
            var via = request.TopVia;
            if (via is null || via.HasRport) return this;
            var port = via.Port ?? 5060;
            return port == remote.Port ? this : new UdpFlow(transport, new IPEndPoint(remote.Address, port));
        }
    }
}
