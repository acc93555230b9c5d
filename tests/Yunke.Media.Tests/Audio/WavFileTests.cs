using System.Buffers.Binary;
using Yunke.Media.Audio;
using Yunke.Media.Codecs;

namespace Yunke.Media.Tests.Audio;

public sealed class WavFileTests
{
    [Fact]
    public void A_written_file_reads_back_with_a_canonical_header()
    {
        var clip = AudioClip.Tone([440], TimeSpan.FromMilliseconds(250));
        using var stream = new MemoryStream();
        using (var writer = new WavWriter(stream, 8000, leaveOpen: true))
        {
            writer.Write(clip.Samples.AsSpan(0, 1000));
            writer.WriteSilence(500);
            writer.Write(clip.Samples.AsSpan(1000));
        }

        var bytes = stream.ToArray();
        bytes.Length.ShouldBe(44 + 2 * (clip.Samples.Length + 500));
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)).ShouldBe((uint)bytes.Length - 8);
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)).ShouldBe((uint)bytes.Length - 44);
        BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)).ShouldBe(8000);

        stream.Position = 0;
        var back = WavFile.Read(stream);
        back.SampleRate.ShouldBe(8000);
        back.Samples.Take(1000).ShouldBe(clip.Samples.Take(1000));
        back.Samples.Skip(1000).Take(500).ShouldAllBe(s => s == 0);
        back.Samples.Skip(1500).ShouldBe(clip.Samples.Skip(1000));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(6)]
    public void G711_wav_files_are_decoded(int format)
    {
        var clip = AudioClip.Tone([1000], TimeSpan.FromMilliseconds(100));
        var encoded = clip.Samples.Select(s => format == 7 ? G711.EncodeMuLaw(s) : G711.EncodeALaw(s)).ToArray();
        var bytes = Wav(format, channels: 1, rate: 8000, bits: 8, encoded);

        var back = WavFile.Read(new MemoryStream(bytes));

        back.Samples.Length.ShouldBe(clip.Samples.Length);
        for (var i = 0; i < clip.Samples.Length; i++)
            back.Samples[i].ShouldBe(format == 7 ? G711.DecodeMuLaw(encoded[i]) : G711.DecodeALaw(encoded[i]));
    }

    [Fact]
    public void Eight_bit_stereo_pcm_is_mixed_down()
    {
        // Frames (left, right): (128, 128) = 0, (255, 255) ≈ +32512, (0, 128) = -16384.
        var back = WavFile.Read(new MemoryStream(Wav(1, channels: 2, rate: 8000, bits: 8, [128, 128, 255, 255, 0, 128])));

        back.Samples.ShouldBe([(short)0, (short)32512, (short)-16384]);
    }

    [Fact]
    public void A_22050_hz_file_like_espeak_writes_is_resampled_to_8000_keeping_the_tone()
    {
        var clip = AudioClip.Tone([700], TimeSpan.FromSeconds(1), sampleRate: 22050);
        using var stream = new MemoryStream();
        using (var writer = new WavWriter(stream, 22050, leaveOpen: true)) writer.Write(clip.Samples);
        stream.Position = 0;

        var telephony = WavFile.Read(stream).Resample(8000);

        telephony.SampleRate.ShouldBe(8000);
        telephony.Samples.Length.ShouldBe(8000);
        var block = telephony.Samples.AsSpan(400, 4000);
        var at700 = TestAudio.Power(block, 700);
        at700.ShouldBeGreaterThan(100 * TestAudio.Power(block, 1200));
        at700.ShouldBeGreaterThan(100 * TestAudio.Power(block, 300));
        TestAudio.Rms(block).ShouldBeInRange(4000, 6000); // 8000 amplitude → 5657 RMS, a little less after the low-pass
    }

    [Fact]
    public void What_is_not_a_wav_file_is_refused_clearly()
    {
        Should.Throw<InvalidDataException>(() => WavFile.Read(new MemoryStream("RIFX0000WAVE"u8.ToArray())));
        Should.Throw<InvalidDataException>(() => WavFile.Read(new MemoryStream(Wav(85, 1, 8000, 0, [1, 2, 3])))).Message.ShouldContain("85");
    }

    private static byte[] Wav(int format, int channels, int rate, int bits, byte[] data)
    {
        using var s = new MemoryStream();
        using var w = new BinaryWriter(s);
        w.Write("RIFF"u8);
        w.Write(36 + data.Length);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)format);
        w.Write((short)channels);
        w.Write(rate);
        w.Write(rate * channels * Math.Max(1, bits / 8));
        w.Write((short)(channels * Math.Max(1, bits / 8)));
        w.Write((short)bits);
        w.Write("data"u8);
        w.Write(data.Length);
        w.Write(data);
        w.Flush();
        return s.ToArray();
    }
}
