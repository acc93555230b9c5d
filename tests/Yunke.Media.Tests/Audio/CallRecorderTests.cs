using Microsoft.Extensions.Time.Testing;
using Yunke.Media.Audio;

namespace Yunke.Media.Tests.Audio;

public sealed class CallRecorderTests
{
    private readonly FakeTimeProvider time = new();

    [Fact]
    public void Both_directions_are_mixed_into_one_wav_as_long_as_the_call()
    {
        var caller = AudioClip.Tone([600], TimeSpan.FromSeconds(2));
        var agent = AudioClip.Tone([1400], TimeSpan.FromSeconds(1));
        using var file = new MemoryStream();
        var recorder = new CallRecorder(file, time);

        // The caller talks for 2 s from the start; the agent answers 0.5 s in, for 1 s; the call lasts 3 s.
        for (var frame = 0; frame < 150; frame++)
        {
            var at = frame * 20;
            if (at < 2000) recorder.Write(1, 0xCA11, (uint)(5000 + frame * 160), caller.Samples.AsSpan(frame * 160, 160));
            if (at is >= 500 and < 1500)
            {
                var agentFrame = (at - 500) / 20;
                recorder.Write(2, 0xA6E7, (uint)(agentFrame * 160), agent.Samples.AsSpan(agentFrame * 160, 160));
            }
            time.Advance(TimeSpan.FromMilliseconds(20));
        }
        recorder.Dispose();

        var wav = WavFile.Read(new MemoryStream(file.ToArray()));
        wav.SampleRate.ShouldBe(8000);
        wav.Duration.TotalSeconds.ShouldBe(3, tolerance: 0.03);
        var s = wav.Samples;
        // 0.1–0.4 s: the caller alone.
        TestAudio.Power(s.AsSpan(800, 2400), 600).ShouldBeGreaterThan(1e6);
        TestAudio.Power(s.AsSpan(800, 2400), 1400).ShouldBeLessThan(1e4);
        // 0.6–1.4 s: both.
        TestAudio.Power(s.AsSpan(4800, 6400), 600).ShouldBeGreaterThan(1e6);
        TestAudio.Power(s.AsSpan(4800, 6400), 1400).ShouldBeGreaterThan(1e6);
        TestAudio.Power(s.AsSpan(4800, 6400), 1000).ShouldBeLessThan(1e4);
        // 2.1–3 s: nobody.
        TestAudio.Rms(s.AsSpan(16800)).ShouldBe(0);
    }

    [Fact]
    public void Jitter_does_not_move_audio_and_lost_packets_leave_silence()
    {
        var tone = AudioClip.Tone([800], TimeSpan.FromSeconds(1));
        using var file = new MemoryStream();
        var recorder = new CallRecorder(file, time);

        // 50 frames arriving in pairs (every 40 ms, the second late and out of order), frames 20–29 lost.
        for (var pair = 0; pair < 25; pair++)
        {
            foreach (var frame in new[] { 2 * pair + 1, 2 * pair })
                if (frame is < 20 or >= 30) recorder.Write(7, 1, (uint)(frame * 160), tone.Samples.AsSpan(frame * 160, 160));
            time.Advance(TimeSpan.FromMilliseconds(40));
        }
        recorder.Dispose();

        var s = WavFile.Read(new MemoryStream(file.ToArray())).Samples;
        s.Length.ShouldBe(8000);
        // The first packet to arrive (frame 1) anchors the timeline: frame n starts at (n - 1) * 160.
        s.AsSpan(0, 160).ToArray().ShouldBe(tone.Samples.AsSpan(160, 160).ToArray(), "frame 0 arrived after frame 1 had anchored the start, so it falls before the file");
        s.AsSpan(160, 160 * 18).ToArray().ShouldBe(tone.Samples.AsSpan(320, 160 * 18).ToArray());
        TestAudio.Rms(s.AsSpan(19 * 160, 10 * 160)).ShouldBe(0);
        s.AsSpan(29 * 160, 20 * 160).ToArray().ShouldBe(tone.Samples.AsSpan(30 * 160, 20 * 160).ToArray());
    }
}
