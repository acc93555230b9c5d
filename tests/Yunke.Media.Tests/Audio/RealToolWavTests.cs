using System.Diagnostics;
using Yunke.Media.Audio;

namespace Yunke.Media.Tests.Audio;

/// <summary>WAV files made by the tools the product uses (espeak-ng for prompts, sox), both in scripts/install-deps.sh.</summary>
public sealed class RealToolWavTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("yunke-media-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, error);
    }

    [Theory]
    [InlineData("u-law")]
    [InlineData("a-law")]
    public void A_g711_wav_from_sox_decodes_exactly_as_sox_decodes_it(string encoding)
    {
        var g711 = Path.Combine(folder, "tone.wav");
        var linear = Path.Combine(folder, "linear.wav");
        Run("sox", "-n", "-r", "8000", "-c", "1", "-e", encoding, g711, "synth", "0.5", "sine", "1000", "vol", "0.5");
        Run("sox", g711, "-e", "signed-integer", "-b", "16", linear);

        var ours = WavFile.Read(g711);
        var theirs = WavFile.Read(linear);

        ours.SampleRate.ShouldBe(8000);
        ours.Samples.Length.ShouldBe(4000);
        ours.Samples.ShouldBe(theirs.Samples);
        TestAudio.Power(ours.Samples, 1000).ShouldBeGreaterThan(1000 * TestAudio.Power(ours.Samples, 1500));
    }

    [Fact]
    public void Espeak_output_at_22050_hz_reads_as_8_khz_speech()
    {
        var path = Path.Combine(folder, "prompt.wav");
        Run("espeak-ng", "-w", path, "Your call is important to us. Please hold.");

        var raw = WavFile.Read(path);
        var telephony = WavFile.ReadForTelephony(path);

        raw.SampleRate.ShouldBe(22050);
        telephony.SampleRate.ShouldBe(8000);
        telephony.Duration.TotalSeconds.ShouldBe(raw.Duration.TotalSeconds, tolerance: 0.01);
        telephony.Duration.TotalSeconds.ShouldBeInRange(1, 10);
        TestAudio.Rms(telephony.Samples).ShouldBeGreaterThan(300); // speech, not silence
    }
}
