using System.Net;
using System.Net.Sockets;
using Yunke.Media.Rtp;
using Yunke.Media.Srtp;

namespace Yunke.Media.Sessions;

/// <summary>Called on the session's receive loop for each accepted RTP packet; the packet's bytes are valid only during the call.</summary>
public delegate void RtpPacketHandler(RtpSession session, RtpPacket packet);

/// <summary>What a session has seen and done so far.</summary>
public readonly record struct RtpSessionCounters(
    long PacketsReceived, long BytesReceived, long PacketsSent, long BytesSent,
    long PacketsLost, long Duplicates, long Reordered, long Rejected, uint Jitter);

/// <summary>
/// One RTP stream with a peer: an RTP and an RTCP socket from a <see cref="RtpPortAllocator"/>, received by a
/// <see cref="UdpPoller"/> (or, without one, by an async receive loop each: one pinned buffer per loop; no
/// allocation per packet either way), and an outgoing stream whose SSRC, sequence numbers and timestamps stay
/// continuous whatever feeds it (<see cref="RtpStreamRewriter"/>).
/// Received packets go to <see cref="PacketReceived"/> on the receiving thread: handlers must not block.
/// </summary>
public sealed partial class RtpSession : IAsyncDisposable
{
    private const int MaxDatagram = 1500;

    private readonly Socket rtpSocket;
    private readonly Socket rtcpSocket;
    private readonly RtpSessionOptions options;
    private readonly Action release;
    private readonly TimeProvider time;
    private readonly string cname;
    private readonly Task rtpLoop, rtcpLoop;
    private readonly UdpPoller.Registration? rtpPolled, rtcpPolled;
    private readonly IDisposable? rtcpReports;
    private readonly Lock rtcpGate = new();

    private readonly RemoteAddress rtpRemote = new(), rtcpRemote = new();
    private volatile RtpPeer? peer;
    private volatile bool disposed;

    private RtpSequenceTracker tracker = new();
    private uint remoteSsrc;
    private bool hasRemoteSsrc;
    private long lostBefore; // losses of earlier remote sources
    private long lastReceived; // TimeProvider timestamp; 0 = never
    private long packetsReceived, bytesReceived, packetsSent, bytesSent, payloadBytesSent, rejected;
    private long packetsSentAtLastReport;
    private uint lastSenderReport; // LSR of the peer's last SR
    private long lastSenderReportArrival;

    internal RtpSession(Socket rtpSocket, Socket rtcpSocket, RtpSessionOptions options, UdpPoller? poller, Action release)
    {
        this.rtpSocket = rtpSocket;
        this.rtcpSocket = rtcpSocket;
        this.options = options;
        this.release = release;
        time = options.Time;
        cname = options.Cname ?? $"yunke-{Guid.NewGuid():N}"[..22];
        LocalEndPoint = (IPEndPoint)rtpSocket.LocalEndPoint!;
        Outgoing = RtpStreamRewriter.CreateRandom();
        // Room for a burst while the loop is scheduled on a busy machine; the kernel may cap it.
        rtpSocket.ReceiveBufferSize = 256 * 1024;
        if (poller is not null)
        {
            rtpPolled = poller.Add(rtpSocket, (datagram, source) => OnDatagram(datagram, source, rtcp: false));
            try
            {
                rtcpPolled = poller.Add(rtcpSocket, (datagram, source) => OnDatagram(datagram, source, rtcp: true), sameThreadAs: rtpPolled);
            }
            catch
            {
                rtpPolled.Dispose();
                throw;
            }
            rtpLoop = rtcpLoop = Task.CompletedTask;
        }
        else
        {
            rtpLoop = Task.Run(() => ReceiveLoopAsync(rtpSocket, rtcp: false));
            rtcpLoop = Task.Run(() => ReceiveLoopAsync(rtcpSocket, rtcp: true));
        }
        // The first report at a random point of the interval (RFC 3550 6.3.5 randomises each one), so sessions
        // opened together do not report together ever after.
        if (options.RtcpInterval is { } interval)
            rtcpReports = RtcpScheduler.For(time).Add(interval * (0.5 + Random.Shared.NextDouble()), interval, () => SendReport());
    }

    /// <summary>Where we receive RTP (RTCP is on the next port): the address and port for our SDP.</summary>
    public IPEndPoint LocalEndPoint { get; }
    public int RtcpPort => LocalEndPoint.Port + 1;
    public RtpPeer? Peer => peer;
    /// <summary>Our outgoing stream; its <see cref="RtpStreamRewriter.Ssrc"/> is our SSRC.</summary>
    public RtpStreamRewriter Outgoing { get; }
    /// <summary>The SSRC of the source we receive, once a packet arrived.</summary>
    public uint? RemoteSsrc => hasRemoteSsrc ? remoteSsrc : null;

    /// <summary>Where RTP is sent now: the latched source, else the SDP's address; null when neither is known.</summary>
    public IPEndPoint? RemoteEndPoint => rtpRemote.Target is { } target ? ToEndPoint(target) : null;
    public bool IsLatched => rtpRemote.Latched;

    /// <summary>When the last RTP packet was accepted; null if none yet. For dead-call detection.</summary>
    public TimeSpan? SinceLastPacket => Interlocked.Read(ref lastReceived) is var last && last != 0 ? time.GetElapsedTime(last) : null;
    /// <summary>True once the peer sent an RTCP BYE (it left the session).</summary>
    public bool ByeReceived { get; private set; }

    public event RtpPacketHandler? PacketReceived;
    /// <summary>Each valid RTCP compound packet, on the RTCP loop.</summary>
    public event Action<RtpSession, RtcpCompoundPacket>? RtcpReceived;

    public RtpSessionCounters Counters => new(
        Interlocked.Read(ref packetsReceived), Interlocked.Read(ref bytesReceived),
        Interlocked.Read(ref packetsSent), Interlocked.Read(ref bytesSent),
        lostBefore + tracker.Lost, tracker.Duplicates, tracker.Reordered, Interlocked.Read(ref rejected), tracker.Jitter);

    /// <summary>
    /// Sets the peer from an offer or answer (again on each re-INVITE): with latching on, the next packets
    /// decide where we send again, since a re-INVITE may move the media.
    /// </summary>
    public void SetPeer(RtpPeer value)
    {
        if (webRtc is { } secure)
        {
            ConnectWebRtc(secure, value);
            return;
        }
        peer = value;
        rtpRemote.Reset(value.RtpEndPoint);
        rtcpRemote.Reset(value.RtcpEndPoint ?? (value.RtpEndPoint is { } rtp ? new IPEndPoint(rtp.Address, rtp.Port + 1) : null));
    }

    /// <summary>
    /// Sends an RTP packet after rewriting its SSRC, sequence number and timestamp into this session's
    /// outgoing stream (<paramref name="packet"/> is changed in place). False when there is nowhere to send yet.
    /// </summary>
    public bool Send(Span<byte> packet)
    {
        if (rtpRemote.Target is not { } target || disposed || packet.Length < RtpPacket.FixedHeaderSize) return false;
        var secure = webRtc;
        // Before the keys nothing is rewritten either: the stream's numbering starts with what the browser gets.
        if (secure is { Sender: null }) return false;
        Outgoing.Rewrite(packet, time.GetTimestamp(), time.TimestampFrequency);
        try
        {
            // A UDP send does not wait for the peer: safe inline on any loop.
            if (secure is null) rtpSocket.SendTo(packet, SocketFlags.None, target);
            else if (!SendProtected(secure, packet, target)) return false;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
        Interlocked.Increment(ref packetsSent);
        Interlocked.Add(ref bytesSent, packet.Length);
        Interlocked.Add(ref payloadBytesSent, packet.Length - RtpPacket.FixedHeaderSize);
        return true;
    }

    private async Task ReceiveLoopAsync(Socket socket, bool rtcp)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram + 1, pinned: true);
        var source = new SocketAddress(socket.AddressFamily);
        while (!disposed)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source);
            }
            catch (SocketException e) when (!disposed && e.SocketErrorCode != SocketError.OperationAborted)
            {
                continue; // e.g. an ICMP port-unreachable for an earlier send
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            OnDatagram(buffer.AsSpan(0, length), source, rtcp);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp)
    {
        if (datagram.Length > MaxDatagram || disposed) return;
        try
        {
            if (webRtc is { } secure)
            {
                if (!rtcp) OnSecureDatagram(secure, datagram, source); // RTCP is muxed: the RTCP socket is unused
            }
            else if (rtcp || RtpPacket.LooksLikeRtcp(datagram)) OnRtcp(datagram, source);
            else OnRtp(datagram, source);
        }
        catch (Exception) when (!disposed)
        {
            // A failing handler must not end the stream; the packet is lost, the loop goes on.
            Interlocked.Increment(ref rejected);
        }
    }

    private void OnRtp(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (!RtpPacket.TryParse(datagram, out var packet) || !rtpRemote.Accept(source, options.Latching))
        {
            Interlocked.Increment(ref rejected);
            return;
        }
        var now = time.GetTimestamp();
        if (!hasRemoteSsrc || packet.Ssrc != remoteSsrc)
        {
            // A new source (a re-INVITE to another phone or media server): its sequence numbers start afresh.
            if (hasRemoteSsrc)
            {
                lostBefore += tracker.Lost;
                tracker = new RtpSequenceTracker();
            }
            remoteSsrc = packet.Ssrc;
            hasRemoteSsrc = true;
        }
        var clock = Peer?.Codecs[packet.PayloadType]?.ClockRate ?? 8000;
        var arrival = (long)((Int128)now * clock / time.TimestampFrequency);
        var status = tracker.Update(packet.SequenceNumber, packet.Timestamp, arrival);
        if (status is RtpSequenceStatus.Duplicate or RtpSequenceStatus.Jump)
        {
            Interlocked.Increment(ref rejected);
            return;
        }
        Interlocked.Exchange(ref lastReceived, now);
        Interlocked.Increment(ref packetsReceived);
        Interlocked.Add(ref bytesReceived, datagram.Length);
        PacketReceived?.Invoke(this, packet);
    }


    private void OnRtcp(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (!RtcpCompoundPacket.TryParse(datagram, out var compound)) return;
        if (!rtcpRemote.Accept(source, options.Latching)) return;
        foreach (var report in compound.SenderReports)
        {
            lastSenderReport = report.Info.CompactNtp;
            Interlocked.Exchange(ref lastSenderReportArrival, time.GetTimestamp());
        }
        if (compound.Byes.Count > 0) ByeReceived = true;
        RtcpReceived?.Invoke(this, compound);
    }

    /// <summary>Sends an SR (or RR when we sent nothing since the last report) with SDES, and BYE when leaving.</summary>
    private void SendReport(bool bye = false)
    {
        if (rtcpRemote.Target is not { } target) return;
        var secure = webRtc;
        if (secure is { Sender: null }) return;
        Span<byte> buffer = stackalloc byte[256 + SrtpContext.RtcpOverhead];
        var length = 0;
        var now = time.GetTimestamp();
        Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[1];
        var blockCount = 0;
        lock (rtcpGate)
        {
            if (hasRemoteSsrc)
            {
                var (fraction, cumulative) = tracker.TakeLossReport();
                var sinceSr = Interlocked.Read(ref lastSenderReportArrival) is var arrived && arrived != 0
                    ? (uint)(time.GetElapsedTime(arrived, now).TotalSeconds * 65536) : 0;
                blocks[0] = new RtcpReportBlock(remoteSsrc, fraction, cumulative, tracker.ExtendedHighestSequence, tracker.Jitter, lastSenderReport, sinceSr);
                blockCount = 1;
            }
            var sent = Interlocked.Read(ref packetsSent);
            if (sent > packetsSentAtLastReport)
            {
                var info = new RtcpSenderInfo(RtcpSenderInfo.ToNtp(time.GetUtcNow()), Outgoing.TimestampAt(now, time.TimestampFrequency),
                    (uint)sent, (uint)Interlocked.Read(ref payloadBytesSent));
                length += RtcpWriter.WriteSenderReport(buffer, Outgoing.Ssrc, info, blocks[..blockCount]);
            }
            else length += RtcpWriter.WriteReceiverReport(buffer, Outgoing.Ssrc, blocks[..blockCount]);
            packetsSentAtLastReport = sent;
        }
        length += RtcpWriter.WriteSourceDescription(buffer[length..], Outgoing.Ssrc, cname);
        if (bye) length += RtcpWriter.WriteBye(buffer[length..], [Outgoing.Ssrc]);
        try
        {
            if (secure?.Sender is { } sender) rtpSocket.SendTo(buffer[..sender.ProtectRtcp(buffer, length)], SocketFlags.None, target); // muxed
            else rtcpSocket.SendTo(buffer[..length], SocketFlags.None, target);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // RTCP is best effort.
        }
    }

    /// <summary>
    /// Where one channel (RTP or RTCP) sends, and whether it was learnt from the peer's packets. The address
    /// is replaced whole, never changed in place, so senders on other threads always read a consistent one.
    /// </summary>
    private sealed class RemoteAddress
    {
        private volatile SocketAddress? target;
        private volatile bool latched;

        public SocketAddress? Target => target;
        public bool Latched => latched;

        public void Reset(IPEndPoint? fromSdp)
        {
            latched = false;
            target = fromSdp?.Serialize();
        }

        /// <summary>A WebRTC leg: the pair ICE selected is the target and the only source accepted.</summary>
        public void Pin(SocketAddress source)
        {
            var copy = new SocketAddress(source.Family, source.Size);
            source.Buffer.CopyTo(copy.Buffer);
            target = copy;
            latched = true;
        }

        /// <summary>With latching: the first source after a reset becomes the target and the only source accepted.</summary>
        public bool Accept(SocketAddress source, bool latching)
        {
            if (latched) return source.Equals(target);
            if (!latching)
            {
                // A peer may send from another port than it receives on (not symmetric), but from its own host.
                return target is not { } known || source.Equals(known) || ToEndPoint(source).Address.Equals(ToEndPoint(known).Address);
            }
            var copy = new SocketAddress(source.Family, source.Size);
            source.Buffer.CopyTo(copy.Buffer);
            target = copy;
            latched = true;
            return true;
        }
    }

    private static IPEndPoint ToEndPoint(SocketAddress address) => (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);

    /// <summary>Sends RTCP BYE, closes both sockets and gives the ports back.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        rtcpReports?.Dispose();
        if (options.RtcpInterval is not null) SendReport(bye: true);
        disposed = true;
        webRtc?.Close();
        // Out of the poller before the sockets close: once removed, no handler runs for them.
        rtpPolled?.Dispose();
        rtcpPolled?.Dispose();
        rtpSocket.Dispose();
        rtcpSocket.Dispose();
        await Task.WhenAll(rtpLoop, rtcpLoop).ConfigureAwait(false);
        release();
    }
}
