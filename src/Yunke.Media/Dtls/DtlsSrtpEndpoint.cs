using Org.BouncyCastle.Tls;

namespace Yunke.Media.Dtls;

/// <summary>
/// One call's DTLS-SRTP (RFC 5763, 5764): the handshake over a socket someone else reads, the check of the peer's
/// certificate against its SDP fingerprint, and the SRTP master keys it gives. BouncyCastle does the DTLS.
/// </summary>
/// <remarks>
/// The media session demultiplexes its socket (RFC 7983: first byte 20–63 is DTLS, see <see cref="IsDtls"/>) and
/// hands DTLS datagrams to <see cref="Deliver"/>; everything DTLS sends goes out through the <c>send</c> callback,
/// which must not block and must not throw for a datagram it could not send (that is loss; DTLS retransmits).
/// BouncyCastle's DTLS blocks while it waits for the network, so the handshake runs on a thread of its own for
/// its few hundred milliseconds. After it, the datagrams that still come (the peer repeating its last flight
/// because ours was lost, a close_notify) are fed to DTLS on the thread pool as they arrive: no thread per call.
/// </remarks>
public sealed class DtlsSrtpEndpoint : IDisposable
{
    private readonly SrtpNegotiation negotiation;
    private readonly DatagramQueue transport;
    private readonly DtlsSrtpOptions options;
    private readonly Lock gate = new();      // one user of the DTLS connection at a time: the after-handshake reader or Close
    private DtlsTransport? connection;
    private int handshakeStarted, reading;
    private volatile bool closed;

    /// <param name="remoteFingerprint">From the peer's SDP <c>a=fingerprint</c>: its certificate must match.</param>
    /// <param name="send">Sends one datagram to the peer (through the call's shared socket).</param>
    public DtlsSrtpEndpoint(DtlsRole role, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint,
        Action<ReadOnlySpan<byte>> send, DtlsSrtpOptions? options = null)
    {
        this.options = options ?? new DtlsSrtpOptions();
        if (this.options.Profiles.Count == 0)
            throw new ArgumentException("At least one SRTP profile is needed.", nameof(options));
        if (this.options.HandshakeTimeout <= TimeSpan.Zero)
            throw new ArgumentException("The handshake timeout must be positive.", nameof(options));
        negotiation = new SrtpNegotiation(role, certificate, remoteFingerprint, this.options.Profiles);
        transport = new DatagramQueue(send, this.options.Mtu);
    }

    public DtlsRole Role => negotiation.Role;

    /// <summary>Received datagrams dropped (queue full, or after the end).</summary>
    public long Dropped => transport.Dropped;

    /// <summary>Whether a datagram on a shared socket is DTLS rather than STUN or RTP/RTCP (RFC 7983 7).</summary>
    public static bool IsDtls(ReadOnlySpan<byte> datagram) => datagram.Length > 0 && datagram[0] is >= 20 and <= 63;

    /// <summary>Hands over a received DTLS datagram. Any thread; copies it and never blocks. Garbage is harmless:
    /// DTLS discards records it cannot read.</summary>
    public void Deliver(ReadOnlySpan<byte> datagram)
    {
        transport.Deliver(datagram);
        if (Volatile.Read(ref connection) is not null)
            ReadAfterHandshake();
    }

    /// <summary>Runs the handshake to its end: the keys, or a <see cref="DtlsSrtpException"/> (refused or failed),
    /// <see cref="TimeoutException"/> (after <see cref="DtlsSrtpOptions.HandshakeTimeout"/>),
    /// <see cref="OperationCanceledException"/>, or <see cref="ObjectDisposedException"/> (closed meanwhile). Once.</summary>
    public async Task<DtlsSrtpKeys> HandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref handshakeStarted, 1) != 0)
            throw new InvalidOperationException("The DTLS handshake runs once per endpoint.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.HandshakeTimeout);
        // The handshake waits in DatagramQueue.Receive: aborting the queue is what stops it.
        await using var stop = limit.Token.UnsafeRegister(_ =>
        {
            if (Volatile.Read(ref connection) is null)     // not a handshake that has just finished
                transport.Abort(cancellationToken.IsCancellationRequested
                    ? new OperationCanceledException(cancellationToken)
                    : new TimeoutException($"The DTLS handshake did not finish within {options.HandshakeTimeout.TotalSeconds:0.#} s."));
        }, null);
        return await Task.Factory.StartNew(Handshake, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private DtlsSrtpKeys Handshake()
    {
        try
        {
            var established = negotiation.Role == DtlsRole.Server
                ? new DtlsServerProtocol().Accept(new SrtpDtlsServer(negotiation), transport)
                : new DtlsClientProtocol().Connect(new SrtpDtlsClient(negotiation), transport);
            lock (gate)
            {
                if (closed)
                {
                    established.Close();
                    throw new ObjectDisposedException(nameof(DtlsSrtpEndpoint));
                }
                Volatile.Write(ref connection, established);
            }
            ReadAfterHandshake();      // what came in while the handshake finished
            return negotiation.Keys!;
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            throw Explain(e);
        }
    }

    // Our own refusal first, then why the transport was stopped, then what the peer said.
    private Exception Explain(Exception e)
    {
        if (negotiation.Refusal is { } refusal)
            return refusal;
        for (var cause = e; cause is not null; cause = cause.InnerException)
            if (cause is TimeoutException or OperationCanceledException or ObjectDisposedException)
                return cause;
        var reason = negotiation.AlertReceived is { } alert ? $"the peer sent the alert {alert}" : e.Message;
        return new DtlsSrtpException(DtlsSrtpFailure.HandshakeFailed, $"The DTLS handshake failed: {reason}.", e);
    }

    // After the handshake DTLS only reads when asked: ask on the thread pool, one reader at a time.
    private void ReadAfterHandshake()
    {
        if (transport.Count > 0 && Interlocked.CompareExchange(ref reading, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.ReadPending(), this, preferLocal: false);
    }

    private void ReadPending()
    {
        var buffer = new byte[transport.GetReceiveLimit()];
        lock (gate)
        {
            try
            {
                // Answers a repeated last flight (ours was lost) and takes in alerts. Application data is not expected
                // (Yunke has no data channel) and goes nowhere. The 1 ms wait ends it once the queue is empty.
                var rounds = 0;
                for (; rounds < 64 && !closed && transport.Count > 0; rounds++)
                    connection!.Receive(buffer, 0, buffer.Length, 1);
                if (rounds == 64)
                    transport.Clear();     // DTLS takes no more (it has closed): what is queued is of no use
            }
            catch (Exception e)
            {
                // A fatal alert or a record DTLS refuses after the handshake: this DTLS association is over (the keys
                // are out already, and the call ends by its signalling); later datagrams are dropped, not read again.
                transport.Abort(e);
            }
        }
        Volatile.Write(ref reading, 0);
        if (!closed)
            ReadAfterHandshake();  // a datagram that came after the last look
    }

    /// <summary>Ends the DTLS association: close_notify to the peer after a handshake, stops one in progress.</summary>
    public void Close()
    {
        lock (gate)
        {
            if (closed)
                return;
            closed = true;
            try
            {
                connection?.Close();
            }
            catch (Exception)
            {
                // The call is over either way; a close_notify that could not be sent changes nothing.
            }
            transport.Abort(new ObjectDisposedException(nameof(DtlsSrtpEndpoint)));
        }
    }

    public void Dispose() => Close();
}
