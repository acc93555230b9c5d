using Yunke.Media.Rtp;

namespace Yunke.Media.Tests.Rtp;

public sealed class RtpPacketTests
{
    [Fact]
    public void A_known_packet_is_read_field_by_field()
    {
        // V=2, no P/X, CC=0; M=1, PT=8; seq 0x1234; ts 0xDEADBEEF; SSRC 0x01020304; 3 payload bytes
        byte[] bytes = [0x80, 0x88, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB, 0xCC];

        RtpPacket.TryParse(bytes, out var packet).ShouldBeTrue();

        packet.Marker.ShouldBeTrue();
        packet.PayloadType.ShouldBe((byte)8);
        packet.SequenceNumber.ShouldBe((ushort)0x1234);
        packet.Timestamp.ShouldBe(0xDEADBEEFu);
        packet.Ssrc.ShouldBe(0x01020304u);
        packet.CsrcCount.ShouldBe(0);
        packet.HasExtension.ShouldBeFalse();
        packet.HeaderLength.ShouldBe(12);
        packet.Payload.ToArray().ShouldBe([0xAA, 0xBB, 0xCC]);
    }

    [Fact]
    public void Csrcs_extension_and_padding_round_trip()
    {
        var header = new RtpHeader(96, 65535, 4_000_000_000, 0xCAFEBABE, Marker: true);
        var buffer = new byte[200];
        byte[] payload = [1, 2, 3, 4, 5];
        byte[] extension = [9, 8, 7, 6, 5, 4, 3, 2];

        var length = header.Write(buffer, payload, csrcs: [11u, 22u], extensionProfile: 0xBEDE, extensionData: extension, padding: 3);

        length.ShouldBe(12 + 8 + 4 + 8 + 5 + 3);
        buffer[length - 1].ShouldBe((byte)3);
        RtpPacket.TryParse(buffer.AsSpan(0, length), out var packet).ShouldBeTrue();
        packet.HasPadding.ShouldBeTrue();
        packet.PaddingLength.ShouldBe(3);
        packet.CsrcCount.ShouldBe(2);
        packet.GetCsrc(0).ShouldBe(11u);
        packet.GetCsrc(1).ShouldBe(22u);
        packet.ExtensionProfile.ShouldBe((ushort)0xBEDE);
        packet.ExtensionData.ToArray().ShouldBe(extension);
        packet.Payload.ToArray().ShouldBe(payload);
        packet.Marker.ShouldBeTrue();
        packet.PayloadType.ShouldBe((byte)96);
        packet.SequenceNumber.ShouldBe((ushort)65535);
        packet.Timestamp.ShouldBe(4_000_000_000u);
        packet.Ssrc.ShouldBe(0xCAFEBABEu);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00 }, "too short")]
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 }, "version 1")]
    [InlineData(new byte[] { 0x81, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 }, "a CSRC announced but missing")]
    [InlineData(new byte[] { 0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 1, 2, 3, 4 }, "extension longer than the packet")]
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7, 0 }, "padding count 0")]
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7, 9 }, "padding longer than the payload")]
    public void Malformed_packets_are_refused(byte[] bytes, string why)
    {
        RtpPacket.TryParse(bytes, out _).ShouldBeFalse(why);
    }

    [Fact]
    public void Rtcp_on_the_rtp_port_is_told_apart()
    {
        RtpPacket.LooksLikeRtcp([0x80, 200, 0, 6]).ShouldBeTrue();   // SR
        RtpPacket.LooksLikeRtcp([0x81, 203, 0, 1]).ShouldBeTrue();   // BYE
        RtpPacket.LooksLikeRtcp([0x80, 0x00, 0, 1]).ShouldBeFalse(); // PCMU
        RtpPacket.LooksLikeRtcp([0x80, 0xE5, 0, 1]).ShouldBeFalse(); // marker + PT 101
    }
}
