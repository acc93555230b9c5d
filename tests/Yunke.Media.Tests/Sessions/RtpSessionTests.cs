using System.Net;
using Microsoft.Extensions.Time.Testing;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;

namespace Yunke.Media.Tests.Sessions;

/// <summary>One session against plain UDP sockets on loopback, received by a poller (Linux) or by async loops.</summary>
public abstract class RtpSessionTests(UdpPoller? poller, int firstPort) : IAsyncDisposable
{
    private readonly RtpPortAllocator allocator = new(IPAddress.Loopback, firstPort, firstPort + 99) { Poller = poller };
    private readonly UdpPeer phone = new();
    private readonly UdpPeer phoneRtcp = new();
    private readonly UdpPeer stranger = new();

    public virtual async ValueTask DisposeAsync()
    {
        phone.Dispose();
        phoneRtcp.Dispose();
        stranger.Dispose();
        await Task.CompletedTask;
    }

    private static byte[] Packet(ushort sequence, uint ssrc = 0x1234, byte payloadType = 0, int payloadLength = 160)
    {
        var bytes = new byte[12 + payloadLength];
        new RtpHeader(payloadType, sequence, sequence * 160u, ssrc).Write(bytes, Enumerable.Repeat((byte)sequence, payloadLength).ToArray());
        return bytes;
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        condition().ShouldBeTrue();
    }

    [Fact]
    public async Task Latching_sends_to_where_the_phone_really_sends_from_and_ignores_others()
    {
        await using var session = allocator.Open(new RtpSessionOptions { RtcpInterval = null });
        var received = new List<ushort>();
        session.PacketReceived += (_, p) => { lock (received) received.Add(p.SequenceNumber); };
        // The SDP says port 9 (behind a NAT, say); the phone really sends from its own socket.
        session.SetPeer(RtpPeer.Default(new IPEndPoint(IPAddress.Loopback, 9)));
        session.IsLatched.ShouldBeFalse();

        phone.Send(Packet(1), session.LocalEndPoint);
        await Until(() => session.Counters.PacketsReceived == 1);
        session.IsLatched.ShouldBeTrue();
        session.RemoteEndPoint.ShouldBe(phone.EndPoint);

        stranger.Send(Packet(2, ssrc: 666), session.LocalEndPoint);
        phone.Send(Packet(2), session.LocalEndPoint);
        await Until(() => session.Counters.PacketsReceived == 2);
        session.Counters.Rejected.ShouldBe(1);
        lock (received) received.ShouldBe([(ushort)1, (ushort)2]);

        var reply = Packet(77, ssrc: 1);
        session.Send(reply).ShouldBeTrue();
        var got = (await phone.ReceiveAsync()).ShouldNotBeNull();
        got.RemoteEndPoint.ShouldBe(session.LocalEndPoint);
        RtpPacket.TryParse(got.Buffer, out var sent).ShouldBeTrue();
        sent.Ssrc.ShouldBe(session.Outgoing.Ssrc);
        var counters = session.Counters;
        counters.PacketsSent.ShouldBe(1);
        counters.BytesSent.ShouldBe(172);
        counters.BytesReceived.ShouldBe(2 * 172);
        session.SinceLastPacket.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_new_peer_from_a_reinvite_is_latched_again()
    {
        await using var session = allocator.Open(new RtpSessionOptions { RtcpInterval = null });
        session.SetPeer(RtpPeer.Default(phone.EndPoint));
        phone.Send(Packet(1), session.LocalEndPoint);
        await Until(() => session.Counters.PacketsReceived == 1);

        session.SetPeer(RtpPeer.Default(stranger.EndPoint));
        session.RemoteEndPoint.ShouldBe(stranger.EndPoint);
        stranger.Send(Packet(500, ssrc: 99), session.LocalEndPoint);
        await Until(() => session.Counters.PacketsReceived == 2);
        session.RemoteSsrc.ShouldBe(99u);
        phone.Send(Packet(2), session.LocalEndPoint);
        await Until(() => session.Counters.Rejected == 1);
    }

    [Fact]
    public async Task Without_latching_replies_go_to_the_sdp_address_and_only_its_host_is_heard()
    {
        await using var session = allocator.Open(new RtpSessionOptions { RtcpInterval = null, Latching = false });
        using var otherHost = new UdpPeer(IPAddress.Parse("127.0.0.2"));
        session.SetPeer(RtpPeer.Default(phone.EndPoint));

        stranger.Send(Packet(1), session.LocalEndPoint);  // same host, another port: a phone without symmetric RTP
        otherHost.Send(Packet(2), session.LocalEndPoint); // another host
        await Until(() => session.Counters.PacketsReceived + session.Counters.Rejected == 2);

        session.Counters.PacketsReceived.ShouldBe(1);
        session.Counters.Rejected.ShouldBe(1);
        session.IsLatched.ShouldBeFalse();
        session.Send(Packet(3, ssrc: 9)).ShouldBeTrue();
        (await phone.ReceiveAsync()).ShouldNotBeNull();
    }

    [Fact]
    public async Task Loss_duplicates_and_garbage_are_counted()
    {
        await using var session = allocator.Open(new RtpSessionOptions { RtcpInterval = null });
        session.SetPeer(RtpPeer.Default(phone.EndPoint));
        foreach (var s in new ushort[] { 1, 2, 2, 5, 4 }) phone.Send(Packet(s), session.LocalEndPoint);
        phone.Send([1, 2, 3], session.LocalEndPoint);

        await Until(() => session.Counters.PacketsReceived + session.Counters.Rejected == 6);
        var c = session.Counters;
        c.PacketsReceived.ShouldBe(4);
        c.Duplicates.ShouldBe(1);
        c.PacketsLost.ShouldBe(1); // 3 never came
        c.Reordered.ShouldBe(1);
        c.Rejected.ShouldBe(2);    // the duplicate and the 3 bytes
    }

    [Fact]
    public async Task Periodic_rtcp_reports_what_was_sent_and_received_and_a_bye_is_noticed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T20:00:00Z"));
        await using var session = allocator.Open(new RtpSessionOptions { Time = time, Cname = "leg-a" });
        session.SetPeer(RtpPeer.Default(phone.EndPoint) with { RtcpEndPoint = phoneRtcp.EndPoint });
        for (ushort s = 1; s <= 10; s++) if (s != 4) phone.Send(Packet(s), session.LocalEndPoint);
        await Until(() => session.Counters.PacketsReceived == 9);
        session.Send(Packet(1, ssrc: 5));

        var before = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(7.5)); // the first report comes at a random point of 0.5–1.5 intervals

        var datagram = (await phoneRtcp.ReceiveAsync()).ShouldNotBeNull();
        RtcpCompoundPacket.TryParse(datagram.Buffer, out var compound).ShouldBeTrue();
        var sr = compound.SenderReports.ShouldHaveSingleItem();
        sr.Ssrc.ShouldBe(session.Outgoing.Ssrc);
        sr.Info.PacketCount.ShouldBe(1u);
        sr.Info.OctetCount.ShouldBe(160u);
        sr.Info.NtpTimestamp.ShouldBeInRange(RtcpSenderInfo.ToNtp(before.AddSeconds(2.5)), RtcpSenderInfo.ToNtp(time.GetUtcNow()));
        var block = sr.Blocks.ShouldHaveSingleItem();
        block.Ssrc.ShouldBe(0x1234u);
        block.CumulativeLost.ShouldBe(1);
        block.ExtendedHighestSequence.ShouldBe(10u);
        block.FractionLost.ShouldBe((byte)(256 / 10));

        var bye = new byte[8];
        RtcpWriter.WriteBye(bye, [0x1234u]);
        phoneRtcp.Send(bye, new IPEndPoint(IPAddress.Loopback, session.RtcpPort));
        await Until(() => session.ByeReceived);
    }

    [Fact]
    public async Task Disposing_says_bye_over_rtcp()
    {
        var session = allocator.Open(new RtpSessionOptions { RtcpInterval = TimeSpan.FromHours(1) });
        session.SetPeer(RtpPeer.Default(phone.EndPoint) with { RtcpEndPoint = phoneRtcp.EndPoint });

        await session.DisposeAsync();

        var datagram = (await phoneRtcp.ReceiveAsync()).ShouldNotBeNull();
        RtcpCompoundPacket.TryParse(datagram.Buffer, out var compound).ShouldBeTrue();
        compound.ReceiverReports.ShouldHaveSingleItem().Blocks.ShouldBeEmpty();
        compound.Byes.ShouldHaveSingleItem().Sources.ShouldBe([session.Outgoing.Ssrc]);
    }
}

public sealed class RtpSessionTestsOnPoller() : RtpSessionTests(UdpPoller.Shared, 41100);

public sealed class RtpSessionTestsOnAsyncLoops() : RtpSessionTests(null, 41400);
