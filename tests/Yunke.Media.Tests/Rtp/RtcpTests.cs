using Yunke.Media.Rtp;

namespace Yunke.Media.Tests.Rtp;

public sealed class RtcpTests
{
    [Fact]
    public void A_compound_sender_report_with_sdes_and_bye_round_trips()
    {
        var buffer = new byte[512];
        var info = new RtcpSenderInfo(0x0123456789ABCDEF, 160_000, 1000, 160_000);
        var block = new RtcpReportBlock(0xAABBCCDD, 25, -3, 70_000, 42, 0x456789AB, 65536);
        var length = RtcpWriter.WriteSenderReport(buffer, 0x11111111, info, [block]);
        length.ShouldBe(52);
        length += RtcpWriter.WriteSourceDescription(buffer.AsSpan(length), 0x11111111, "yunke@host");
        length += RtcpWriter.WriteBye(buffer.AsSpan(length), [0x11111111u], "call ended");
        (length % 4).ShouldBe(0);

        RtcpCompoundPacket.TryParse(buffer.AsSpan(0, length), out var compound).ShouldBeTrue();

        var report = compound.SenderReports.ShouldHaveSingleItem();
        report.Ssrc.ShouldBe(0x11111111u);
        report.Info.ShouldBe(info);
        report.Blocks.ShouldHaveSingleItem().ShouldBe(block);
        var bye = compound.Byes.ShouldHaveSingleItem();
        bye.Sources.ShouldBe([0x11111111u]);
        bye.Reason.ShouldBe("call ended");
    }

    [Fact]
    public void A_receiver_report_round_trips_and_a_known_rr_is_read()
    {
        var buffer = new byte[64];
        var length = RtcpWriter.WriteReceiverReport(buffer, 7, []);
        buffer.AsSpan(0, length).ToArray().ShouldBe([0x80, 201, 0, 1, 0, 0, 0, 7]);

        byte[] rr = [0x81, 201, 0, 7, 0, 0, 0, 9, 0, 0, 0, 5, 0x40, 0x00, 0x00, 0x02, 0, 1, 0, 3, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0];
        RtcpCompoundPacket.TryParse(rr, out var compound).ShouldBeTrue();
        var report = compound.ReceiverReports.ShouldHaveSingleItem();
        report.Ssrc.ShouldBe(9u);
        var block = report.Blocks.ShouldHaveSingleItem();
        block.Ssrc.ShouldBe(5u);
        block.FractionLost.ShouldBe((byte)0x40);
        block.CumulativeLost.ShouldBe(2);
        block.ExtendedHighestSequence.ShouldBe(65539u);
        block.Jitter.ShouldBe(10u);
    }

    [Fact]
    public void Truncated_or_inconsistent_rtcp_is_refused()
    {
        RtcpCompoundPacket.TryParse([0x80, 201, 0, 9, 0, 0, 0, 7], out _).ShouldBeFalse();     // length beyond the datagram
        RtcpCompoundPacket.TryParse([0x81, 201, 0, 1, 0, 0, 0, 7], out _).ShouldBeFalse();     // one block announced, none there
        RtcpCompoundPacket.TryParse([0x40, 201, 0, 1, 0, 0, 0, 7], out _).ShouldBeFalse();     // version 1
    }

    [Fact]
    public void Ntp_time_counts_from_1900()
    {
        var ntp = RtcpSenderInfo.ToNtp(new DateTimeOffset(1970, 1, 1, 0, 0, 0, 500, TimeSpan.Zero));
        (ntp >> 32).ShouldBe(2_208_988_800UL);
        (ntp & 0xFFFFFFFF).ShouldBe(0x80000000UL); // half a second
    }
}
