using System.Net;
using System.Net.Sockets;
using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Media.Srtp;

namespace Yunke.Media.Sessions;

/// <summary>
/// The browser's side of a WebRTC leg, from its SDP: its ICE credentials, its certificate's fingerprint, and which DTLS
/// role we took (<see cref="DtlsRole.Server"/> when our SDP said <c>a=setup:passive</c>, Client for <c>active</c>).
/// </summary>
public sealed record WebRtcPeer(IceCredentials Remote, DtlsFingerprint Fingerprint, DtlsRole OurRole);

/// <summary>
/// The security of a WebRTC leg (<see cref="RtpSession.UseWebRtc"/>): its ICE-lite agent, its DTLS-SRTP handshake and
/// the two SRTP contexts the handshake gives. What the call controller reads: <see cref="LocalCredentials"/> and
/// <see cref="Fingerprint"/> for our SDP, <see cref="Secured"/> (or <see cref="Failure"/>) to know whether media can
/// flow, <see cref="ConsentExpired"/> to end a call the browser left without a word.
/// </summary>
public sealed class WebRtcTransport
{
    private readonly DtlsCertificate certificate;
    private readonly DtlsSrtpOptions? dtlsOptions;
    private readonly TimeProvider time;
    private readonly TaskCompletionSource secured = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private volatile IceLiteAgent? agent;
    private DtlsSrtpEndpoint? dtls;
    private volatile SrtpContext? sender, receiver;
    private volatile Exception? failure;
    private int handshakeStarted;
    private bool closed;
    // Sources that passed an ICE check: only they may talk DTLS. A handful at most (a browser's IPv4 and IPv6
    // candidates); touched by the one thread that reads the session's RTP socket.
    private readonly List<SocketAddress> checkedSources = [];
    private volatile SocketAddress? lastChecked;
    private long authenticationFailures;

    internal WebRtcTransport(DtlsCertificate certificate, DtlsSrtpOptions? dtlsOptions, TimeProvider time)
    {
        this.certificate = certificate;
        this.dtlsOptions = dtlsOptions;
        this.time = time;
        // Observed here so that a failed call whose controller never awaits does not raise UnobservedTaskException.
        secured.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>Our a=ice-ufrag and a=ice-pwd: known before the peer's SDP, so we can offer as well as answer.</summary>
    public IceCredentials LocalCredentials { get; } = IceCredentials.Generate();
    /// <summary>Our a=fingerprint.</summary>
    public DtlsFingerprint Fingerprint => certificate.Fingerprint;
    public WebRtcPeer? Peer { get; private set; }

    /// <summary>Completes when the SRTP keys are in place; faults with the handshake's exception (a
    /// <see cref="DtlsSrtpException"/>, <see cref="TimeoutException"/>, ...), after which the leg sends nothing.</summary>
    public Task Secured => secured.Task;
    public bool IsSecured => receiver is not null;
    /// <summary>Why the handshake failed, null while it runs or once it succeeded: the call controller ends the call.</summary>
    public Exception? Failure => failure;
    /// <summary>Where media goes: the pair the browser nominated; null until then.</summary>
    public IPEndPoint? SelectedRemote => agent?.SelectedRemote;
    /// <summary>The browser stopped its consent checks for 30 s (RFC 7675): end the call.</summary>
    public bool ConsentExpired => agent?.ConsentExpired ?? false;
    /// <summary>SRTP and SRTCP packets refused (bad tag, replayed, malformed); also counted in the session's Rejected.</summary>
    public long AuthenticationFailures => Interlocked.Read(ref authenticationFailures);

    internal SrtpContext? Sender => sender;
    internal SrtpContext? Receiver => receiver;
    internal IceLiteAgent? Agent => agent;

    /// <summary>
    /// The peer's SDP is known: ICE can answer its checks and DTLS begins. A re-INVITE repeating the same peer changes
    /// nothing; new credentials or a new certificate (an ICE restart, a new DTLS association) are not supported.
    /// </summary>
    internal void Connect(WebRtcPeer value, Action<ReadOnlySpan<byte>> sendDtls)
    {
        lock (gate)
        {
            if (Peer is not null)
            {
                if (Peer.Remote == value.Remote && Peer.Fingerprint.ToString() == value.Fingerprint.ToString() && Peer.OurRole == value.OurRole) return;
                throw new InvalidOperationException("An ICE restart or a new DTLS association on a WebRTC leg is not supported: open a new session.");
            }
            if (closed) return;
            Peer = value;
            dtls = new DtlsSrtpEndpoint(value.OurRole, certificate, value.Fingerprint, sendDtls, dtlsOptions);
            agent = new IceLiteAgent(value.Remote, LocalCredentials, time);
        }
        // The server waits for the ClientHello; the client needs somewhere to send it: the pair ICE selects.
        if (value.OurRole == DtlsRole.Server) StartHandshake();
    }

    internal void StartHandshake()
    {
        DtlsSrtpEndpoint? endpoint;
        lock (gate) endpoint = closed ? null : dtls;
        if (endpoint is null || Interlocked.Exchange(ref handshakeStarted, 1) != 0) return;
        _ = RunHandshakeAsync(endpoint);
    }

    private async Task RunHandshakeAsync(DtlsSrtpEndpoint endpoint)
    {
        try
        {
            var keys = await endpoint.HandshakeAsync().ConfigureAwait(false);
            sender = new SrtpContext(keys.Local);
            receiver = new SrtpContext(keys.Remote);
            secured.TrySetResult();
        }
        catch (Exception e)
        {
            failure = e;
            secured.TrySetException(e);
        }
    }

    internal void Deliver(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (IsChecked(source)) dtls?.Deliver(datagram);
    }

    internal bool IsChecked(SocketAddress source)
    {
        foreach (var known in checkedSources)
            if (known.Equals(source)) return true;
        return false;
    }

    internal void RememberChecked(SocketAddress source)
    {
        foreach (var known in checkedSources)
            if (known.Equals(source))
            {
                lastChecked = known;
                return;
            }
        if (checkedSources.Count == 8) checkedSources.RemoveAt(0);
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.CopyTo(copy.Buffer);
        checkedSources.Add(copy);
        lastChecked = copy;
    }

    /// <summary>Where DTLS goes before a pair is selected: the latest source that passed a check (read by the DTLS thread).</summary>
    internal SocketAddress? LastChecked => lastChecked;

    internal void CountAuthenticationFailure() => Interlocked.Increment(ref authenticationFailures);

    /// <summary>close_notify to the browser, or stops a handshake in progress. The SRTP contexts are left to the GC: a
    /// relay thread may still be protecting with them.</summary>
    internal void Close()
    {
        DtlsSrtpEndpoint? endpoint;
        lock (gate)
        {
            closed = true;
            endpoint = dtls;
        }
        endpoint?.Close();
        secured.TrySetException(new ObjectDisposedException(nameof(RtpSession)));
    }
}
