using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Yunke.Media.Codecs;

namespace Yunke.Media.Audio;

/// <summary>Mono 16-bit audio at some sample rate, as read from a WAV file.</summary>
public sealed class AudioClip(short[] samples, int sampleRate)
{
    public short[] Samples { get; } = samples;
    public int SampleRate { get; } = sampleRate;
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    /// <summary>
    /// A tone of one or more frequencies (summed, e.g. 450 Hz for Chinese ringback, 440 + 480 Hz for the
    /// North American one), optionally followed by silence: cadence for a looping ringback.
    /// </summary>
    public static AudioClip Tone(IReadOnlyList<double> frequencies, TimeSpan on, TimeSpan? off = null, double amplitude = 8000, int sampleRate = 8000)
    {
        var toneSamples = (int)(on.TotalSeconds * sampleRate);
        var samples = new short[toneSamples + (int)((off ?? TimeSpan.Zero).TotalSeconds * sampleRate)];
        for (var i = 0; i < toneSamples; i++)
        {
            var value = 0.0;
            foreach (var f in frequencies) value += Math.Sin(2 * Math.PI * f * i / sampleRate);
            samples[i] = (short)Math.Round(amplitude * value / frequencies.Count);
        }
        return new AudioClip(samples, sampleRate);
    }

    /// <summary>
    /// The clip at another rate: a moving-average low-pass when going down (so 22,050 Hz TTS output does
    /// not alias into the telephone band), then linear interpolation. Plenty for prompts; not for music.
    /// </summary>
    public AudioClip Resample(int rate)
    {
        if (rate <= 0) throw new ArgumentOutOfRangeException(nameof(rate));
        if (rate == SampleRate) return this;
        var source = Samples;
        if (rate < SampleRate)
        {
            var window = (int)Math.Round((double)SampleRate / rate);
            if (window > 1) source = MovingAverage(source, window);
        }
        var length = (int)((long)source.Length * rate / SampleRate);
        var result = new short[length];
        var step = (double)SampleRate / rate;
        for (var i = 0; i < length; i++)
        {
            var position = i * step;
            var index = (int)position;
            var fraction = position - index;
            var a = source[index];
            var b = index + 1 < source.Length ? source[index + 1] : a;
            result[i] = (short)Math.Round(a + (b - a) * fraction);
        }
        return new AudioClip(result, rate);
    }

    private static short[] MovingAverage(short[] source, int window)
    {
        var result = new short[source.Length];
        long sum = 0;
        for (var i = 0; i < source.Length; i++)
        {
            sum += source[i];
            if (i >= window) sum -= source[i - window];
            result[i] = (short)(sum / Math.Min(i + 1, window));
        }
        return result;
    }
}

/// <summary>
/// RIFF/WAVE files (the canonical 44-byte form, and any chunk order when reading): PCM 8 and 16-bit,
/// G.711 A-law (format 6) and µ-law (7), WAVE_FORMAT_EXTENSIBLE of those; several channels are mixed down.
/// </summary>
public static class WavFile
{
    private const ushort FormatPcm = 1, FormatALaw = 6, FormatMuLaw = 7, FormatExtensible = 0xFFFE;

    public static AudioClip Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>Reads a whole WAV file; throws <see cref="InvalidDataException"/> for what it cannot read.</summary>
    public static AudioClip Read(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
            throw new InvalidDataException("Not a RIFF/WAVE file.");

        ushort format = 0, channels = 0, bits = 0;
        var rate = 0;
        ReadOnlySpan<byte> data = default;
        var hasData = false;
        var at = 12;
        while (at + 8 <= bytes.Length)
        {
            var id = bytes.Slice(at, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes[(at + 4)..]), (uint)(bytes.Length - at - 8));
            var body = bytes.Slice(at + 8, size);
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                // The first two bytes of the extensible sub-format GUID are the real format tag.
                if (format == FormatExtensible && size >= 26) format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                data = body;
                hasData = true;
            }
            at += 8 + size + (size & 1); // chunks are word-aligned
        }
        if (format == 0 || !hasData) throw new InvalidDataException("A WAV file needs a fmt and a data chunk.");
        if (channels == 0 || rate <= 0) throw new InvalidDataException("The WAV format has no channels or sample rate.");

        var bytesPerSample = format == FormatPcm ? bits switch
        {
            8 => 1,
            16 => 2,
            _ => throw new InvalidDataException($"{bits}-bit PCM is not supported (8 or 16)."),
        } : format is FormatALaw or FormatMuLaw ? 1 : throw new InvalidDataException($"WAV format {format} is not supported (PCM, A-law, µ-law).");

        var frames = data.Length / (bytesPerSample * channels);
        var samples = new short[frames];
        for (var i = 0; i < frames; i++)
        {
            var sum = 0;
            for (var c = 0; c < channels; c++)
            {
                var b = data[((i * channels + c) * bytesPerSample)..];
                sum += format switch
                {
                    FormatALaw => G711.DecodeALaw(b[0]),
                    FormatMuLaw => G711.DecodeMuLaw(b[0]),
                    _ when bytesPerSample == 1 => (b[0] - 128) << 8, // 8-bit PCM is unsigned
                    _ => BinaryPrimitives.ReadInt16LittleEndian(b),
                };
            }
            samples[i] = (short)(sum / channels);
        }
        return new AudioClip(samples, rate);
    }

    /// <summary>Reads a file for telephony: mono, 16-bit, 8 kHz.</summary>
    public static AudioClip ReadForTelephony(string path) => Read(path).Resample(8000);

    public static void Write(string path, AudioClip clip)
    {
        using var writer = new WavWriter(File.Create(path), clip.SampleRate);
        writer.Write(clip.Samples);
    }
}

/// <summary>
/// Writes a mono 16-bit PCM WAV incrementally: the header goes first with placeholder sizes, which
/// <see cref="Dispose"/> fills in (when the stream can seek), so a long recording never sits in memory.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int HeaderSize = 44;
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly byte[] chunk = new byte[8192];
    private long dataBytes;
    private bool disposed;

    public WavWriter(Stream stream, int sampleRate, bool leaveOpen = false)
    {
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        SampleRate = sampleRate;
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, sampleRate, 0);
        stream.Write(header);
    }

    public int SampleRate { get; }
    public long SamplesWritten => dataBytes / 2;

    public void Write(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        dataBytes += 2L * samples.Length;
        // WAV samples are little-endian: on such a machine the samples' own bytes, written as they are.
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(samples));
            return;
        }
        while (!samples.IsEmpty)
        {
            var count = Math.Min(samples.Length, chunk.Length / 2);
            BinaryPrimitives.ReverseEndianness(samples[..count], MemoryMarshal.Cast<byte, short>(chunk.AsSpan(0, 2 * count)));
            stream.Write(chunk, 0, 2 * count);
            samples = samples[count..];
        }
    }

    /// <summary>Writes <paramref name="count"/> samples of silence.</summary>
    public void WriteSilence(long count)
    {
        Array.Clear(chunk);
        while (count > 0)
        {
            var n = (int)Math.Min(count, chunk.Length / 2);
            stream.Write(chunk, 0, 2 * n);
            dataBytes += 2 * n;
            count -= n;
        }
    }

    public void Flush() => stream.Flush();

    private static void WriteHeader(Span<byte> header, int rate, long dataBytes)
    {
        var data = (uint)Math.Min(dataBytes, uint.MaxValue - HeaderSize);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], data + HeaderSize - 8);
        "WAVEfmt "u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);    // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);    // mono
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], rate * 2); // bytes per second
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 2);    // block align
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);   // bits per sample
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], data);
    }

    /// <summary>Fills in the sizes and closes the stream (unless told to leave it open).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (stream.CanSeek)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            WriteHeader(header, SampleRate, dataBytes);
            var end = stream.Position;
            stream.Position = 0;
            stream.Write(header);
            stream.Position = end;
        }
        stream.Flush();
        if (!leaveOpen) stream.Dispose();
    }
}
