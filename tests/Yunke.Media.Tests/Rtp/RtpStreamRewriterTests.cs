using Yunke.Media.Rtp;

namespace Yunke.Media.Tests.Rtp;

public sealed class RtpStreamRewriterTests
{
    private const long Frequency = 1000; // timestamps in ms
    private readonly RtpStreamRewriter rewriter = new(0x5000, firstSequence: 100, firstTimestamp: 8000);

    private static (ushort Sequence, uint Timestamp, uint Ssrc, bool Marker) Rewrite(RtpStreamRewriter rewriter, uint ssrc, int sequence, uint timestamp, long now)
    {
        var packet = new byte[12 + 160];
        new RtpHeader(0, (ushort)sequence, timestamp, ssrc).Write(packet, new byte[160]);
        rewriter.Rewrite(packet, now, Frequency);
        RtpPacket.TryParse(packet, out var p).ShouldBeTrue();
        return (p.SequenceNumber, p.Timestamp, p.Ssrc, p.Marker);
    }

    [Fact]
    public void One_source_keeps_its_spacing_and_gaps_under_our_ssrc()
    {
        Rewrite(rewriter, 77, 5000, 1_000_000, 0).ShouldBe(((ushort)100, 8000u, 0x5000u, true));
        Rewrite(rewriter, 77, 5001, 1_000_160, 20).ShouldBe(((ushort)101, 8160u, 0x5000u, false));
        Rewrite(rewriter, 77, 5003, 1_000_480, 60).ShouldBe(((ushort)103, 8480u, 0x5000u, false)); // the loss stays visible
        Rewrite(rewriter, 77, 5002, 1_000_320, 61).ShouldBe(((ushort)102, 8320u, 0x5000u, false)); // late packet in its place
        rewriter.LastSequence.ShouldBe((ushort)103);
    }

    [Fact]
    public void A_new_source_continues_the_stream_after_the_time_that_passed()
    {
        Rewrite(rewriter, 77, 5000, 1_000_000, 0);
        Rewrite(rewriter, 77, 5001, 1_000_160, 20);

        // 500 ms later another phone (re-INVITE) with its own numbering.
        var first = Rewrite(rewriter, 99, 12, 42, 520);
        first.ShouldBe(((ushort)102, 8160u + 500 * 8, 0x5000u, true));
        Rewrite(rewriter, 99, 13, 202, 540).ShouldBe(((ushort)103, 8160u + 4000 + 160, 0x5000u, false));
    }

    [Fact]
    public void A_restart_with_the_same_ssrc_is_a_new_source_too()
    {
        Rewrite(rewriter, 77, 5000, 1_000_000, 0);
        Rewrite(rewriter, 77, 30_000, 5, 20).ShouldBe(((ushort)101, 8000u + 160, 0x5000u, true));
    }
}
