using System.Net;
using Yunke.Media.Ice;
using Yunke.Media.Rtp;

namespace Yunke.Media.Tests.Ice;

public sealed class DemuxAndSdpTests
{
    [Theory]
    [InlineData(new byte[] { 0x00, 0x01 }, MuxedPacket.Stun)]          // binding request
    [InlineData(new byte[] { 0x01, 0x01 }, MuxedPacket.Stun)]          // binding success
    [InlineData(new byte[] { 0x03, 0x00 }, MuxedPacket.Stun)]
    [InlineData(new byte[] { 0x04, 0x00 }, MuxedPacket.Unknown)]
    [InlineData(new byte[] { 19, 0 }, MuxedPacket.Unknown)]              // ZRTP's range
    [InlineData(new byte[] { 22, 0xFE, 0xFD }, MuxedPacket.Dtls)]        // handshake, DTLS 1.2
    [InlineData(new byte[] { 20, 0xFE }, MuxedPacket.Dtls)]
    [InlineData(new byte[] { 63, 0 }, MuxedPacket.Dtls)]
    [InlineData(new byte[] { 64, 0 }, MuxedPacket.Unknown)]              // TURN channels
    [InlineData(new byte[] { 127, 0 }, MuxedPacket.Unknown)]
    [InlineData(new byte[] { 0x80, 0x00 }, MuxedPacket.Rtp)]             // PCMU
    [InlineData(new byte[] { 0x80, 0xE0 }, MuxedPacket.Rtp)]             // marker + payload type 96
    [InlineData(new byte[] { 0x80, 0xC8 }, MuxedPacket.Rtcp)]            // SR (200)
    [InlineData(new byte[] { 0x81, 0xC9 }, MuxedPacket.Rtcp)]            // RR (201)
    [InlineData(new byte[] { 0x80, 0xDF }, MuxedPacket.Rtcp)]            // 223, the top of the range
    [InlineData(new byte[] { 0x80, 0xBF }, MuxedPacket.Rtp)]             // 191
    [InlineData(new byte[] { 0xBF, 0x00 }, MuxedPacket.Rtp)]
    [InlineData(new byte[] { 0xC0, 0x00 }, MuxedPacket.Unknown)]
    [InlineData(new byte[] { 0x80 }, MuxedPacket.Unknown)]               // too short to tell RTP from RTCP
    [InlineData(new byte[0], MuxedPacket.Unknown)]
    public void Packets_are_told_apart_by_their_first_bytes(byte[] datagram, MuxedPacket kind) =>
        Demux.Classify(datagram).ShouldBe(kind);

    [Fact]
    public void Packets_written_by_the_media_code_land_where_they_belong()
    {
        var buffer = new byte[64];
        var length = new RtpHeader(0, 1, 160, 0x1234).Write(buffer, new byte[20]);
        Demux.Classify(buffer.AsSpan(0, length)).ShouldBe(MuxedPacket.Rtp);

        var stun = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, new byte[12]);
        stun.AddFingerprint();
        Demux.Classify(buffer.AsSpan(0, stun.Length)).ShouldBe(MuxedPacket.Stun);
    }

    [Fact]
    public void The_lite_answer_lines()
    {
        var credentials = new IceCredentials("yNkE", "ourPasswordOf24Chars+/xy");

        IceSdp.Lite.ShouldBe("a=ice-lite");
        IceSdp.Ufrag(credentials).ShouldBe("a=ice-ufrag:yNkE");
        IceSdp.Password(credentials).ShouldBe("a=ice-pwd:ourPasswordOf24Chars+/xy");
        IceSdp.HostCandidate(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 20000))
            .ShouldBe("a=candidate:1 1 UDP 2130706431 203.0.113.5 20000 typ host");
        IceSdp.HostCandidate(new IPEndPoint(IPAddress.Parse("2001:db8::5"), 20002), foundation: "2")
            .ShouldBe("a=candidate:2 1 UDP 2130706431 2001:db8::5 20002 typ host");
        IceSdp.HostPriority(component: 2).ShouldBe(2130706430u);
        IceSdp.HostPriority(localPreference: 0).ShouldBe(126u << 24 | 255);
    }

    [Fact]
    public void The_peers_credentials_are_read_with_the_media_level_overriding()
    {
        IceSdp.ReadCredentials(["a=ice-ufrag:sess", "a=ice-pwd:sessionPasswordIs22chars", "a=mid:0", "a=ice-ufrag:M3dA", "ice-pwd:mediaPasswordIs22chars+/ "])
            .ShouldBe(new IceCredentials("M3dA", "mediaPasswordIs22chars+/"));
        IceSdp.ReadCredentials(["a=ice-ufrag:M3dA"]).ShouldBeNull();
        IceSdp.ReadCredentials(["a=ice-ufrag:M3dA", "a=ice-pwd:tooShort"]).ShouldBeNull();
    }
}
