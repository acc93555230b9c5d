using System.Buffers.Binary;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>
/// Test audio written and measured here, independent of Yunke.Media: G.711 from the ITU formulas, sine tones,
/// a pcap of RTP packets for sipp's play_pcap_audio, and Goertzel power to tell which tone a stretch of audio holds.
/// </summary>
public static class Tones
{
    public const int SampleRate = 8000;
    /// <summary>Samples in one 20 ms RTP packet.</summary>
    public const int FrameSamples = 160;

    /// <summary>A sine tone at 8 kHz, 16-bit, at about a quarter of full scale.</summary>
    public static short[] Sine(double frequency, TimeSpan length) =>
        Enumerable.Range(0, (int)(length.TotalSeconds * SampleRate))
            .Select(i => (short)(8000 * Math.Sin(2 * Math.PI * frequency * i / SampleRate))).ToArray();

    /// <summary>G.711 µ-law of one linear sample (ITU-T G.711, with the usual bias of 0x84).</summary>
    public static byte MuLaw(short sample)
    {
        const int bias = 0x84, clip = 32635;
        var sign = sample < 0 ? 0x80 : 0;
        var magnitude = Math.Min(Math.Abs((int)sample), clip) + bias;
        var exponent = 7;
        for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        var mantissa = (magnitude >> (exponent + 3)) & 0x0f;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    public static short FromMuLaw(byte code)
    {
        code = (byte)~code;
        var magnitude = ((((code & 0x0f) << 3) + 0x84) << ((code & 0x70) >> 4)) - 0x84;
        return (short)((code & 0x80) != 0 ? -magnitude : magnitude);
    }

    public static short FromALaw(byte code)
    {
        code ^= 0x55;
        var exponent = (code & 0x70) >> 4;
        var magnitude = (code & 0x0f) << 4;
        magnitude = exponent == 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
        return (short)((code & 0x80) != 0 ? magnitude : -magnitude);
    }

    /// <summary>The power of one frequency in the samples (Goertzel), normalised by their count.</summary>
    public static double Power(ReadOnlySpan<short> samples, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / SampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in samples)
        {
            var current = sample + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        var power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        return power / samples.Length / samples.Length;
    }

    /// <summary>The candidate the audio holds clearly (ten times the power of any other candidate and not near silence), else null.</summary>
    public static double? Dominant(ReadOnlySpan<short> samples, IReadOnlyList<double> candidates)
    {
        var powers = new double[candidates.Count];
        for (var i = 0; i < candidates.Count; i++) powers[i] = Power(samples, candidates[i]);
        var best = Array.IndexOf(powers, powers.Max());
        if (powers[best] < 10_000) return null; // a tone of amplitude 8000 gives about 16,000,000
        return powers.Where((_, i) => i != best).All(p => powers[best] > 10 * p) ? candidates[best] : null;
    }

    /// <summary>
    /// A capture file (libpcap, Ethernet) of RTP packets carrying the tone as PCMU, 20 ms apart: what sipp's
    /// play_pcap_audio sends (from the SDP's media port, to the far end's; addresses in the file do not matter).
    /// </summary>
    public static byte[] RtpPcap(double frequency, TimeSpan length)
    {
        var samples = Sine(frequency, length);
        using var file = new MemoryStream();
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1); // Ethernet
        file.Write(header);
        for (var frame = 0; (frame + 1) * FrameSamples <= samples.Length; frame++)
        {
            var rtp = Rtp(0, (ushort)frame, (uint)(frame * FrameSamples), 0x7e57_0001,
                samples.AsSpan(frame * FrameSamples, FrameSamples));
            var packet = new byte[14 + 20 + 8 + rtp.Length];
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), 0x0800);
            var ip = packet.AsSpan(14, 20);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + rtp.Length));
            ip[8] = 64;
            ip[9] = 17;
            new byte[] { 127, 0, 0, 1, 127, 0, 0, 1 }.CopyTo(ip[12..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
            var udp = packet.AsSpan(34, 8);
            BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
            BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 40002);
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + rtp.Length));
            rtp.CopyTo(packet.AsSpan(42));

            var record = new byte[16];
            var at = TimeSpan.FromMilliseconds(20 * frame);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)at.Seconds);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)(at.Milliseconds * 1000));
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)packet.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)packet.Length);
            file.Write(record);
            file.Write(packet);
        }
        return file.ToArray();
    }

    /// <summary>An RTP packet (RFC 3550 5.1) of PCMU audio.</summary>
    public static byte[] Rtp(int payloadType, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<short> samples)
    {
        var packet = new byte[12 + samples.Length];
        packet[0] = 0x80;
        packet[1] = (byte)payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (var i = 0; i < samples.Length; i++) packet[12 + i] = MuLaw(samples[i]);
        return packet;
    }

    /// <summary>The 16-bit mono samples of a WAV file (the recording Yunke writes).</summary>
    public static short[] WavSamples(byte[] wav)
    {
        if (wav.Length < 12 || System.Text.Encoding.ASCII.GetString(wav, 0, 4) != "RIFF") throw new FormatException("not a WAV file");
        int? bits = null;
        for (var at = 12; at + 8 <= wav.Length;)
        {
            var id = System.Text.Encoding.ASCII.GetString(wav, at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(at + 4));
            if (id == "fmt ") bits = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(at + 8 + 14));
            if (id == "data")
            {
                if (bits != 16) throw new FormatException($"expected 16-bit PCM, got {bits} bits");
                var length = Math.Min(size, wav.Length - at - 8) / 2;
                var samples = new short[length];
                for (var i = 0; i < length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(at + 8 + 2 * i));
                return samples;
            }
            at += 8 + size + (size & 1);
        }
        throw new FormatException("the WAV file has no data chunk");
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
