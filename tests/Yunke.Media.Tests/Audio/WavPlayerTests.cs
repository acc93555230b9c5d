using System.Net;
using Microsoft.Extensions.Time.Testing;
using Yunke.Media.Audio;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;

namespace Yunke.Media.Tests.Audio;

/// <summary>The player's pace is driven by a fake clock; the packets travel over real loopback UDP.</summary>
public sealed class WavPlayerTests : IAsyncLifetime
{
    private readonly RtpPortAllocator allocator = new(IPAddress.Loopback, 41300, 41399);
    private readonly FakeTimeProvider time = new();
    private readonly UdpPeer phone = new();
    private RtpSession session = null!;

    public Task InitializeAsync()
    {
        session = allocator.Open(new RtpSessionOptions { RtcpInterval = null });
        session.SetPeer(new RtpPeer(phone.EndPoint, new CodecRegistry().With(8, "PCMA"), 8));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        phone.Dispose();
    }

    private async Task<List<(ushort Sequence, uint Timestamp, bool Marker, byte PayloadType, byte[] Payload)>> ReceiveAsync(int count) =>
        (await phone.ReceiveManyAsync(count)).Select(d =>
        {
            RtpPacket.TryParse(d.Buffer, out var p).ShouldBeTrue();
            return (p.SequenceNumber, p.Timestamp, p.Marker, p.PayloadType, p.Payload.ToArray());
        }).ToList();

    [Fact]
    public async Task A_clip_is_sent_as_20_ms_frames_on_the_clock_then_completes()
    {
        var clip = AudioClip.Tone([500], TimeSpan.FromMilliseconds(90)); // 4.5 frames: the last is padded
        await using var player = new WavPlayer(session, clip, time: time);

        player.Start();
        var first = await ReceiveAsync(1); // the first frame goes at once
        time.Advance(TimeSpan.FromMilliseconds(20));
        time.Advance(TimeSpan.FromMilliseconds(20));
        var next = await ReceiveAsync(2);
        (await phone.NothingMoreAsync()).ShouldBeTrue(); // nothing ahead of the clock
        time.Advance(TimeSpan.FromMilliseconds(40));
        var rest = await ReceiveAsync(2);
        time.Advance(TimeSpan.FromMilliseconds(20));

        await player.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var frames = first.Concat(next).Concat(rest).ToList();
        frames.Count.ShouldBe(5);
        player.FramesSent.ShouldBe(5);
        for (var i = 0; i < 5; i++)
        {
            frames[i].Sequence.ShouldBe((ushort)(frames[0].Sequence + i));
            frames[i].Timestamp.ShouldBe(frames[0].Timestamp + (uint)(160 * i));
            frames[i].Marker.ShouldBe(i == 0);
            frames[i].PayloadType.ShouldBe((byte)8);
        }
        var expected = new byte[160];
        G711.EncodeALaw(clip.Samples.AsSpan(160, 160), expected);
        frames[1].Payload.ShouldBe(expected);
        frames[4].Payload.Skip(80).ShouldAllBe(b => b == G711.EncodeALaw(0));
        (await phone.NothingMoreAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task A_looping_clip_wraps_around_without_a_break_until_stopped()
    {
        var clip = AudioClip.Tone([450], TimeSpan.FromMilliseconds(40)); // two frames
        await using var player = new WavPlayer(session, clip, loop: true, time: time);

        player.Start();
        for (var i = 0; i < 5; i++) time.Advance(TimeSpan.FromMilliseconds(20));
        var frames = await ReceiveAsync(6);
        player.Stop();
        time.Advance(TimeSpan.FromMilliseconds(100));

        frames.Count.ShouldBe(6);
        frames[2].Payload.ShouldBe(frames[0].Payload);
        frames[5].Payload.ShouldBe(frames[1].Payload);
        frames.Skip(1).ShouldAllBe(f => !f.Marker);
        frames[5].Timestamp.ShouldBe(frames[0].Timestamp + 5 * 160);
        player.Completion.IsCompleted.ShouldBeTrue();
        (await phone.NothingMoreAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task After_a_stall_the_player_catches_up_by_skipping_not_bursting()
    {
        var clip = AudioClip.Tone([450], TimeSpan.FromSeconds(2));
        await using var player = new WavPlayer(session, clip, time: time);

        player.Start();
        var first = (await ReceiveAsync(1)).Single();
        time.Advance(TimeSpan.FromMilliseconds(400)); // one late tick, 20 frames due

        var burst = await ReceiveAsync(5);
        burst.Count.ShouldBe(5);
        (await phone.NothingMoreAsync()).ShouldBeTrue();
        // The timestamps stay on the clock: the last one sent is frame 20.
        burst[^1].Timestamp.ShouldBe(first.Timestamp + 20 * 160);
        burst[0].Timestamp.ShouldBe(first.Timestamp + 16 * 160);
        player.FramesSent.ShouldBe(6);
    }

    [Fact]
    public async Task A_prompt_stopped_the_moment_it_starts_has_still_sent_its_first_frame()
    {
        // On the real clock: the first frame must not wait for a timer thread (a caller answered at once still
        // hears where our stream comes from).
        await using var player = new WavPlayer(session, AudioClip.Tone([450], TimeSpan.FromSeconds(1)), loop: true);

        player.Start();
        player.Stop();

        player.FramesSent.ShouldBe(1);
        (await ReceiveAsync(1)).Single().Marker.ShouldBeTrue();
    }
}
