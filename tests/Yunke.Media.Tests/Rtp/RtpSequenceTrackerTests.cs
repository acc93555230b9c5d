using Yunke.Media.Rtp;

namespace Yunke.Media.Tests.Rtp;

public sealed class RtpSequenceTrackerTests
{
    private readonly RtpSequenceTracker tracker = new();

    // Packets every 20 ms (160 timestamp units) arriving exactly on time unless told otherwise.
    private RtpSequenceStatus Receive(int sequence, long? arrival = null) =>
        tracker.Update((ushort)sequence, (uint)(sequence * 160), arrival ?? sequence * 160L);

    [Fact]
    public void In_order_packets_lose_nothing_and_have_no_jitter()
    {
        for (var s = 100; s < 200; s++) Receive(s).ShouldBe(RtpSequenceStatus.InOrder);

        tracker.Received.ShouldBe(100);
        tracker.Expected.ShouldBe(100);
        tracker.Lost.ShouldBe(0);
        tracker.Jitter.ShouldBe(0u);
        tracker.ExtendedHighestSequence.ShouldBe(199u);
    }

    [Fact]
    public void A_gap_counts_as_loss_until_the_late_packet_fills_it()
    {
        Receive(1);
        Receive(2);
        Receive(5).ShouldBe(RtpSequenceStatus.InOrder);
        tracker.Lost.ShouldBe(2);

        Receive(3).ShouldBe(RtpSequenceStatus.Reordered);
        tracker.Lost.ShouldBe(1);
        tracker.Reordered.ShouldBe(1);
        tracker.ExtendedHighestSequence.ShouldBe(5u);
    }

    [Fact]
    public void Duplicates_are_recognised_in_order_and_late()
    {
        Receive(10);
        Receive(11);
        Receive(11).ShouldBe(RtpSequenceStatus.Duplicate);
        Receive(13);
        Receive(10).ShouldBe(RtpSequenceStatus.Duplicate);
        Receive(12).ShouldBe(RtpSequenceStatus.Reordered);
        Receive(12).ShouldBe(RtpSequenceStatus.Duplicate);

        tracker.Duplicates.ShouldBe(3);
        tracker.Received.ShouldBe(4);
        tracker.Lost.ShouldBe(0);
    }

    [Fact]
    public void The_sequence_number_wraps_into_the_extended_one()
    {
        for (var s = 65530; s < 65536 + 5; s++) Receive(s & 0xFFFF).ShouldBe(RtpSequenceStatus.InOrder);

        tracker.ExtendedHighestSequence.ShouldBe(65536u + 4);
        tracker.Received.ShouldBe(11);
        tracker.Lost.ShouldBe(0);
        Receive(65535).ShouldBe(RtpSequenceStatus.Duplicate); // late across the wrap
    }

    [Fact]
    public void One_wild_jump_is_ignored_and_two_in_sequence_restart_the_statistics()
    {
        Receive(1);
        Receive(2);
        Receive(30_000).ShouldBe(RtpSequenceStatus.Jump);
        Receive(3).ShouldBe(RtpSequenceStatus.InOrder);
        tracker.Lost.ShouldBe(0);

        Receive(40_000).ShouldBe(RtpSequenceStatus.Jump);
        Receive(40_001).ShouldBe(RtpSequenceStatus.Restarted);
        tracker.Received.ShouldBe(1);
        tracker.ExtendedHighestSequence.ShouldBe(40_001u);
    }

    [Fact]
    public void Jitter_follows_the_variation_of_transit_times()
    {
        // Every other packet 80 units (10 ms) late: |D| = 80 each time, so J tends to 80.
        for (var s = 0; s < 400; s++) Receive(s, s * 160L + (s % 2 == 0 ? 0 : 80));

        tracker.Jitter.ShouldBeInRange(75u, 80u);
    }

    [Fact]
    public void The_loss_report_gives_the_fraction_of_the_interval()
    {
        for (var s = 0; s < 100; s++) if (s % 4 != 0) Receive(s); // a quarter lost (the first packet is 1)
        var (fraction, cumulative) = tracker.TakeLossReport();
        cumulative.ShouldBe(24);   // 2..99 expected from 1: 0,4,8... lost after the first
        fraction.ShouldBe((byte)(24 * 256 / 99));

        for (var s = 100; s < 200; s++) Receive(s);
        var (next, total) = tracker.TakeLossReport();
        next.ShouldBe((byte)0);
        total.ShouldBe(24);
    }
}
