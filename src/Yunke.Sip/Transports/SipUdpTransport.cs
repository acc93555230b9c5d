using System.Net;
using System.Net.Sockets;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Transports;

/// <summary>SIP over UDP: one socket per listening address, which also sends, so replies leave from the port the peer knows.</summary>
public sealed class SipUdpTransport : SipTransport
{
    private readonly Socket socket;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task receiving;

    private SipUdpTransport(Socket socket, Action<SipInbound> receiver, SipTransportLimits? limits) : base(receiver, limits)
    {
        this.socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Binds the address and starts receiving; each valid message goes to <paramref name="receiver"/> on the receive loop, so it must not block.</summary>
    public static SipUdpTransport Bind(IPEndPoint local, Action<SipInbound> receiver, SipTransportLimits? limits = null)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Room for a burst (a wave of re-REGISTERs) while the receive loop catches up; the kernel may cap it.
            socket.ReceiveBufferSize = 1024 * 1024;
            socket.Bind(local);
            return new SipUdpTransport(socket, receiver, limits);
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

    private async Task ReceiveLoopAsync()
    {
        // One byte over the cap tells an over-size datagram from one that just fits.
        var buffer = new byte[Limits.MaxDatagramBytes + 1];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP port-unreachable reported for an earlier send: not our problem
            }
            catch (Exception e) when (IsDisconnectError(e))
            {
                return;
            }
            if (received.ReceivedBytes > Limits.MaxDatagramBytes) continue;
            var bytes = buffer.AsSpan(0, received.ReceivedBytes);
            // Keep-alives (CRLFs; RFC 5626 uses STUN on UDP, which is not SIP either) need no answer.
            if (bytes.TrimStart("\r\n"u8).IsEmpty) continue;
            var source = (IPEndPoint)received.RemoteEndPoint;
            Deliver(bytes.ToArray(), new UdpFlow(this, source), source, Receiver);
        }
    }

    internal bool SendTo(ReadOnlyMemory<byte> bytes, IPEndPoint remote)
    {
        if (bytes.Length > Limits.MaxDatagramBytes) return false;
        try
        {
            // A UDP send does not wait for the peer: it is safe to do inline.
            socket.SendTo(bytes.Span, SocketFlags.None, remote);
            return true;
        }
        catch (Exception e) when (IsDisconnectError(e))
        {
            return false;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Dispose();
        try { await receiving; } catch (Exception e) when (IsDisconnectError(e)) { }
        stopping.Dispose();
    }

    private sealed class UdpFlow(SipUdpTransport transport, IPEndPoint remote) : SipFlow
    {
        public override SipTransportKind Kind => SipTransportKind.Udp;
        public override IPEndPoint LocalEndPoint => transport.LocalEndPoint;
        public override IPEndPoint RemoteEndPoint => remote;

        public override bool Send(ReadOnlyMemory<byte> bytes) => transport.SendTo(bytes, remote);

        /// <summary>
        /// RFC 3261 18.2.2 with RFC 3581: to the source port when the client asked for rport, else to
        /// the port in its Via (default 5060) at the address the request came from.
        /// </summary>
        internal override SipFlow ForResponsesTo(SipRequest request)
        {
            var via = request.Vias.FirstOrDefault();
            if (via is null || via.HasRport) return this;
            var port = via.Port ?? 5060;
            return port == remote.Port ? this : new UdpFlow(transport, new IPEndPoint(remote.Address, port));
        }
    }
}
