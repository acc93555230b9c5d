namespace Yunke.Media.Codecs;

/// <summary>A narrowband audio codec: RTP payload bytes ↔ 16-bit linear samples.</summary>
public abstract class AudioCodec
{
    /// <summary>The encoding name of a=rtpmap (RFC 3551 6).</summary>
    public abstract string Name { get; }
    public virtual int ClockRate => 8000;
    /// <summary>The payload type RFC 3551 assigns, or null for a dynamic one.</summary>
    public abstract int? StaticPayloadType { get; }

    public abstract int SampleCount(int payloadLength);
    public abstract int PayloadLength(int sampleCount);
    /// <summary>Decodes a payload; returns the samples written.</summary>
    public abstract int Decode(ReadOnlySpan<byte> payload, Span<short> samples);
    /// <summary>Encodes samples; returns the payload bytes written.</summary>
    public abstract int Encode(ReadOnlySpan<short> samples, Span<byte> payload);

    public override string ToString() => $"{Name}/{ClockRate}";

    /// <summary>G.711 µ-law, payload type 0.</summary>
    public static AudioCodec Pcmu { get; } = new PcmuCodec();
    /// <summary>G.711 A-law, payload type 8.</summary>
    public static AudioCodec Pcma { get; } = new PcmaCodec();

    private sealed class PcmuCodec : AudioCodec
    {
        public override string Name => "PCMU";
        public override int? StaticPayloadType => 0;
        public override int SampleCount(int payloadLength) => payloadLength;
        public override int PayloadLength(int sampleCount) => sampleCount;

        public override int Decode(ReadOnlySpan<byte> payload, Span<short> samples)
        {
            G711.DecodeMuLaw(payload, samples);
            return payload.Length;
        }

        public override int Encode(ReadOnlySpan<short> samples, Span<byte> payload)
        {
            G711.EncodeMuLaw(samples, payload);
            return samples.Length;
        }
    }

    private sealed class PcmaCodec : AudioCodec
    {
        public override string Name => "PCMA";
        public override int? StaticPayloadType => 8;
        public override int SampleCount(int payloadLength) => payloadLength;
        public override int PayloadLength(int sampleCount) => sampleCount;

        public override int Decode(ReadOnlySpan<byte> payload, Span<short> samples)
        {
            G711.DecodeALaw(payload, samples);
            return payload.Length;
        }

        public override int Encode(ReadOnlySpan<short> samples, Span<byte> payload)
        {
            G711.EncodeALaw(samples, payload);
            return samples.Length;
        }
    }
}
