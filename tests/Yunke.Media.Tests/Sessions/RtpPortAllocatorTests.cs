using System.Net;
using System.Net.Sockets;
using Yunke.Media.Sessions;

namespace Yunke.Media.Tests.Sessions;

public sealed class RtpPortAllocatorTests
{
    private static readonly RtpSessionOptions Quiet = new() { RtcpInterval = null };

    [Fact]
    public async Task Sessions_get_even_rtp_ports_with_rtcp_next_and_ports_come_back()
    {
        var allocator = new RtpPortAllocator(IPAddress.Loopback, 41001, 41006); // pairs 41002, 41004 (41006 has no RTCP port)
        allocator.PairCount.ShouldBe(2);

        var first = allocator.Open(Quiet);
        var second = allocator.Open(Quiet);
        first.LocalEndPoint.Port.ShouldBe(41002);
        first.RtcpPort.ShouldBe(41003);
        second.LocalEndPoint.Port.ShouldBe(41004);
        first.LocalEndPoint.Address.ShouldBe(IPAddress.Loopback);
        allocator.PairsInUse.ShouldBe(2);
        Should.Throw<RtpPortsExhaustedException>(() => allocator.Open(Quiet));

        await first.DisposeAsync();
        allocator.PairsInUse.ShouldBe(1);
        var third = allocator.Open(Quiet);
        third.LocalEndPoint.Port.ShouldBe(41002);
        await second.DisposeAsync();
        await third.DisposeAsync();
        allocator.PairsInUse.ShouldBe(0);
    }

    [Fact]
    public async Task A_port_held_by_another_socket_is_skipped()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 41013)); // the RTCP port of the first pair
        var allocator = new RtpPortAllocator(IPAddress.Loopback, 41012, 41020);

        await using var session = allocator.Open(Quiet);

        session.LocalEndPoint.Port.ShouldBe(41014);
    }

    [Fact]
    public void A_range_without_a_pair_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new RtpPortAllocator(IPAddress.Loopback, 41030, 41030));
        Should.Throw<ArgumentOutOfRangeException>(() => new RtpPortAllocator(IPAddress.Loopback, 80, 90));
    }
}
