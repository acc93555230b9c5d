using BenchmarkDotNet.Attributes;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;

namespace Yunke.Media.Benchmarks;

/// <summary>The per-packet work of a relay without the sockets: a 20 ms G.711 frame (160 bytes).</summary>
[MemoryDiagnoser]
public class PacketBenchmarks
{
    private readonly byte[] packet = new byte[172];
    private readonly byte[] output = new byte[172];
    private readonly short[] samples = new short[160];
    private readonly byte[] payload = new byte[160];
    private readonly RtpSequenceTracker tracker = new();
    private ushort sequence;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 160; i++)
        {
            samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000));
            payload[i] = G711.EncodeMuLaw(samples[i]);
        }
        new RtpHeader(0, 1234, 160_000, 0xCAFE, Marker: false).Write(packet, payload);
    }

    [Benchmark]
    public int ParseRtp()
    {
        RtpPacket.TryParse(packet, out var p);
        return p.SequenceNumber + p.PayloadType + (int)p.Timestamp + (int)p.Ssrc + p.Payload.Length;
    }

    [Benchmark]
    public int WriteRtp() => new RtpHeader(0, 1234, 160_000, 0xCAFE).Write(output, payload);

    [Benchmark]
    public RtpSequenceStatus TrackSequence()
    {
        var s = sequence++;
        return tracker.Update(s, s * 160u, s * 160L);
    }

    [Benchmark]
    public void EncodeMuLaw160() => G711.EncodeMuLaw(samples, output);

    [Benchmark]
    public void DecodeMuLaw160() => G711.DecodeMuLaw(payload, samples);

    [Benchmark]
    public void EncodeALaw160() => G711.EncodeALaw(samples, output);

    [Benchmark]
    public void TranscodeMuLawToALaw160() => G711.MuLawToALaw(payload, output);
}
