using System.Net;
using System.Net.Sockets;

namespace Yunke.Media.Sessions;

/// <summary>
/// Hands out RTP/RTCP port pairs from a range on one local address: RTP on an even port, RTCP on the
/// next (RFC 3550 11). Ports another process holds are skipped (the bind fails); the search starts
/// after the last pair handed out, so a port just freed is not reused at once (late packets of the
/// previous call would land in the next). Thread-safe.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly Lock gate = new();
    private readonly HashSet<int> inUse = [];
    private int next;

    /// <param name="minPort">First port of the range (rounded up to even).</param>
    /// <param name="maxPort">Last port of the range (an RTCP port at most).</param>
    public RtpPortAllocator(IPAddress address, int minPort, int maxPort)
    {
        MinPort = (minPort + 1) & ~1;
        MaxPort = maxPort;
        if (MinPort < 1024 || MaxPort > 65535 || MaxPort < MinPort + 1)
            throw new ArgumentOutOfRangeException(nameof(minPort), $"The RTP range {minPort}–{maxPort} must hold at least one even/odd pair in 1024–65535.");
        Address = address;
        next = MinPort;
    }

    public IPAddress Address { get; }
    /// <summary>
    /// What receives the sessions' packets: by default the process's <see cref="UdpPoller.Shared"/> (Linux);
    /// null gives each session async receive loops on the .NET socket engine (elsewhere, or to compare).
    /// </summary>
    public UdpPoller? Poller { get; init; } = UdpPoller.Shared;
    public int MinPort { get; }
    public int MaxPort { get; }
    public int PairCount => (MaxPort - MinPort + 1) / 2;
    public int PairsInUse { get { lock (gate) return inUse.Count; } }

    /// <summary>Opens a session on the next free pair; throws <see cref="RtpPortsExhaustedException"/> when the range is full.</summary>
    public RtpSession Open(RtpSessionOptions? options = null)
    {
        var (rtp, rtcp) = BindPair();
        var port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
        try
        {
            return new RtpSession(rtp, rtcp, options ?? new RtpSessionOptions(), Poller, () => Release(port));
        }
        catch
        {
            Release(port);
            rtp.Dispose();
            rtcp.Dispose();
            throw;
        }
    }

    private (Socket Rtp, Socket Rtcp) BindPair()
    {
        lock (gate)
        {
            for (var tried = 0; tried < PairCount; tried++)
            {
                var port = next;
                next = next + 2 > MaxPort - 1 ? MinPort : next + 2;
                if (inUse.Contains(port)) continue;
                var rtp = TryBind(port);
                if (rtp is null) continue;
                var rtcp = TryBind(port + 1);
                if (rtcp is null)
                {
                    rtp.Dispose();
                    continue;
                }
                inUse.Add(port);
                return (rtp, rtcp);
            }
        }
        throw new RtpPortsExhaustedException($"No free RTP port pair in {MinPort}–{MaxPort} on {Address}.");
    }

    private Socket? TryBind(int port)
    {
        var socket = new Socket(Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(Address, port));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private void Release(int port)
    {
        lock (gate) inUse.Remove(port);
    }
}

public sealed class RtpPortsExhaustedException(string message) : Exception(message);
