using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;
using Yunke.Media.Srtp;

namespace Yunke.Media.Tests.Sessions;

/// <summary>
/// A browser played from Yunke's own building blocks on a UDP socket of its own: the controlling ICE agent (one check,
/// nominating), the DTLS client, SRTP both ways. Every datagram it gets is sorted by its first byte and kept, so a test
/// can tell what came in clear.
/// </summary>
internal sealed class WebRtcBrowser : IAsyncDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private IPEndPoint yunke;
    private IceCredentials yunkeIce;
    private readonly CancellationTokenSource stop = new();
    private readonly Channel<byte[]> stun = Channel.CreateUnbounded<byte[]>();
    private readonly Channel<byte[]> rtp = Channel.CreateUnbounded<byte[]>();
    private readonly Channel<byte[]> rtcp = Channel.CreateUnbounded<byte[]>();
    private readonly Task loop;
    private DtlsSrtpEndpoint? dtls;
    private SrtpContext? sender, receiver;
    private int unknown, unauthenticated;

    public WebRtcBrowser(IPEndPoint yunke, IceCredentials yunkeIce, DtlsCertificate? certificate = null)
    {
        this.yunke = yunke;
        this.yunkeIce = yunkeIce;
        Certificate = certificate ?? DtlsCertificate.Create("browser");
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>A browser that offers first: it learns where Yunke is from Yunke's answer (<see cref="Answered"/>).</summary>
    public WebRtcBrowser(DtlsCertificate? certificate = null)
        : this(new IPEndPoint(IPAddress.Loopback, 9), new IceCredentials("none", "none-none-none-none-none"), certificate)
    {
    }

    /// <summary>Yunke's candidate and ICE credentials, from its answer to our offer.</summary>
    public void Answered(IPEndPoint yunkeCandidate, IceCredentials yunkeCredentials) => (yunke, yunkeIce) = (yunkeCandidate, yunkeCredentials);

    public IceCredentials Ice { get; } = IceCredentials.Generate();
    public DtlsCertificate Certificate { get; }
    public IPEndPoint EndPoint { get; }
    public DtlsSrtpKeys? Keys { get; private set; }
    /// <summary>Datagrams of no known kind (not STUN, DTLS, RTP, RTCP).</summary>
    public int Unknown => Volatile.Read(ref unknown);
    /// <summary>RTP or RTCP datagrams that did not authenticate with the browser's receiving key: sent in clear or forged.</summary>
    public int Unauthenticated => Volatile.Read(ref unauthenticated);

    /// <summary>What the browser's SDP says, as the SIP layer gives it to the session: Yunke answered a=setup:passive.</summary>
    public WebRtcPeer Sdp(DtlsFingerprint? claimed = null) => new(Ice, claimed ?? Certificate.Fingerprint, DtlsRole.Server);

    /// <summary>One nominating check; true when the success response is keyed with Yunke's password and maps our address.</summary>
    public async Task<bool> CheckAsync()
    {
        var transactionId = RandomNumberGenerator.GetBytes(12);
        socket.SendTo(WriteCheck(transactionId), yunke);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await stun.Reader.ReadAsync(timeout.Token);
        return IsSuccessFor(response, transactionId);
    }

    private byte[] WriteCheck(byte[] transactionId)
    {
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, transactionId);
        writer.AddString(StunAttributeType.Username, yunkeIce.Ufrag + ":" + Ice.Ufrag);
        writer.AddUInt32(StunAttributeType.Priority, 0x6E7F1EFF);
        writer.AddUInt64(StunAttributeType.IceControlling, 0x1122334455667788);
        writer.AddAttribute(StunAttributeType.UseCandidate, []);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(yunkeIce.Password));
        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    private bool IsSuccessFor(byte[] response, byte[] transactionId) =>
        StunMessage.TryParse(response, out var message) && message.Class == StunClass.SuccessResponse
        && message.TransactionId.SequenceEqual(transactionId) && message.CheckFingerprint()
        && message.CheckIntegrity(yunkeIce.Password) && EndPoint.Equals(message.XorMappedAddress);

    /// <summary>The browser's DTLS handshake (client by default), expecting Yunke's certificate; then its SRTP contexts.</summary>
    public async Task<DtlsSrtpKeys> HandshakeAsync(DtlsFingerprint yunkeFingerprint, DtlsRole role = DtlsRole.Client)
    {
        dtls = new DtlsSrtpEndpoint(role, Certificate, yunkeFingerprint, datagram => socket.SendTo(datagram, SocketFlags.None, yunke),
            new DtlsSrtpOptions { HandshakeTimeout = TimeSpan.FromSeconds(10) });
        var keys = await dtls.HandshakeAsync();
        sender = new SrtpContext(keys.Local);
        receiver = new SrtpContext(keys.Remote);
        return Keys = keys;
    }

    /// <summary>An SRTP packet as the browser would send it (not sent yet: a test may spoil it).</summary>
    public byte[] Protect(ushort sequence, uint timestamp, byte[] payload, uint ssrc = 0xB0B5E, SrtpContext? with = null)
    {
        var buffer = new byte[RtpPacket.FixedHeaderSize + payload.Length + 16];
        new RtpHeader(0, sequence, timestamp, ssrc, false).Write(buffer, payload);
        (with ?? sender!).ProtectRtp(buffer, RtpPacket.FixedHeaderSize + payload.Length, out var length).ShouldBe(SrtpResult.Ok);
        return buffer[..length];
    }

    /// <summary>An SRTCP receiver report with BYE, as a browser leaving the call sends it.</summary>
    public byte[] ProtectedBye(uint ssrc = 0xB0B5E)
    {
        var buffer = new byte[256];
        var length = RtcpWriter.WriteReceiverReport(buffer, ssrc);
        length += RtcpWriter.WriteBye(buffer.AsSpan(length), [ssrc]);
        return buffer[..sender!.ProtectRtcp(buffer, length)];
    }

    public void Send(byte[] datagram) => socket.SendTo(datagram, yunke);

    /// <summary>The next <paramref name="count"/> RTP packets that authenticate, decrypted (fewer if they do not come in time).</summary>
    public async Task<List<byte[]>> ReceiveRtpAsync(int count, TimeSpan? within = null)
    {
        var packets = new List<byte[]>();
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            while (packets.Count < count)
                if (Unprotect(await rtp.Reader.ReadAsync(timeout.Token), isRtcp: false) is { } packet) packets.Add(packet);
        }
        catch (OperationCanceledException)
        {
        }
        return packets;
    }

    /// <summary>The next RTCP compound packet that authenticates and holds a sender report, or null.</summary>
    public async Task<RtcpCompoundPacket?> ReceiveSenderReportAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
                if (Unprotect(await rtcp.Reader.ReadAsync(timeout.Token), isRtcp: true) is { } packet
                    && RtcpCompoundPacket.TryParse(packet, out var compound) && compound.SenderReports.Count > 0)
                    return compound;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Unprotects everything received and not read yet (counting what fails); how many authenticated.</summary>
    public int Drain()
    {
        var good = 0;
        while (rtp.Reader.TryRead(out var packet)) good += Unprotect(packet, isRtcp: false) is null ? 0 : 1;
        while (rtcp.Reader.TryRead(out var packet)) good += Unprotect(packet, isRtcp: true) is null ? 0 : 1;
        return good;
    }

    private byte[]? Unprotect(byte[] datagram, bool isRtcp)
    {
        var length = 0;
        var result = receiver is null ? SrtpResult.AuthenticationFailed
            : isRtcp ? receiver.UnprotectRtcp(datagram, out length) : receiver.UnprotectRtp(datagram, out length);
        if (result == SrtpResult.Ok) return datagram[..length];
        Interlocked.Increment(ref unauthenticated);
        return null;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var datagram = buffer[..received.ReceivedBytes];
            switch (Demux.Classify(datagram))
            {
                case MuxedPacket.Stun: stun.Writer.TryWrite(datagram); break;
                case MuxedPacket.Dtls: dtls?.Deliver(datagram); break;
                case MuxedPacket.Rtp: rtp.Writer.TryWrite(datagram); break;
                case MuxedPacket.Rtcp: rtcp.Writer.TryWrite(datagram); break;
                default: Interlocked.Increment(ref unknown); break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        dtls?.Close();
        socket.Dispose();
        await loop;
        stop.Dispose();
    }
}
