using System.Net;
using System.Net.Sockets;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>
/// Loopback ports free for both UDP and TCP (SIP listens on both at one port number), never handed out
/// twice in this process, so parallel test fixtures do not collide.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try { tcp.Bind(new IPEndPoint(IPAddress.Loopback, port)); }
            catch (SocketException) { continue; }
            lock (Given)
                if (Given.Add(port)) return port;
        }
    }
}
