namespace Yunke.Sip.Transports;

/// <summary>What one peer may cost us: a listener exposed to the Internet must bound every resource a stranger can make it hold.</summary>
public sealed record SipTransportLimits
{
    public static SipTransportLimits Default { get; } = new();

    /// <summary>Larger datagrams are dropped unread (a SIP message over UDP should fit a path MTU anyway, RFC 3261 18.1.1).</summary>
    public int MaxDatagramBytes { get; init; } = 32 * 1024;
    /// <summary>Header section cap on streams; over it the connection is closed, as there is no way to resynchronize.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;
    /// <summary>Body cap on streams and WebSocket messages.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;
    /// <summary>A connection that sends nothing for this long is closed (phones keep theirs alive with CRLF pings).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>Once a message has begun it must be complete within this time: the slow-loris cut-off.</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Connections accepted beyond this are closed at once.</summary>
    public int MaxConnections { get; init; } = 4096;
    /// <summary>
    /// Bytes queued for one connection; a peer that lets more pile up (it does not read) is disconnected. Counted in
    /// bytes, and generous, because one busy connection (a proxy or SBC carrying many phones) may legitimately have
    /// thousands of short responses in flight while our own writer waits for a core.
    /// </summary>
    public int MaxQueuedBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// The UDP socket's receive buffer to ask the kernel for (Linux caps it at net.core.rmem_max). A datagram takes
    /// about 2 KB of it whatever its size, so the default 208 KB holds some 100 messages: 10 ms of a wave of
    /// re-REGISTERs at 10,000 messages/s, less than one pause of the garbage collector. Past it the kernel drops, and
    /// every dropped request costs the phone a 500 ms retransmission.
    /// </summary>
    public int UdpReceiveBufferBytes { get; init; } = 8 * 1024 * 1024;
}
