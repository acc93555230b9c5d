namespace Yunke.Media.Codecs;

/// <summary>
/// ITU-T G.711 µ-law and A-law, by table: decoding is one lookup per byte, encoding one lookup per
/// sample (the laws keep 14 and 13 significant bits), and PCMU ↔ PCMA one lookup per byte.
/// The tables follow the reference algorithm (Sun's g711.c, as used by sox and most softphones).
/// </summary>
public static class G711
{
    private static readonly short[] MuLawToLinear = new short[256];
    private static readonly short[] ALawToLinear = new short[256];
    private static readonly byte[] LinearToMuLaw = new byte[1 << 14]; // index: sample >> 2, as unsigned 14 bits
    private static readonly byte[] LinearToALaw = new byte[1 << 13];  // index: sample >> 3, as unsigned 13 bits
    private static readonly byte[] MuLawToALawTable = new byte[256];
    private static readonly byte[] ALawToMuLawTable = new byte[256];

    static G711()
    {
        for (var i = 0; i < 256; i++)
        {
            MuLawToLinear[i] = ComputeMuLawDecode((byte)i);
            ALawToLinear[i] = ComputeALawDecode((byte)i);
        }
        for (var i = 0; i < LinearToMuLaw.Length; i++) LinearToMuLaw[i] = ComputeMuLawEncode((short)(i << 2));
        for (var i = 0; i < LinearToALaw.Length; i++) LinearToALaw[i] = ComputeALawEncode((short)(i << 3));
        for (var i = 0; i < 256; i++)
        {
            MuLawToALawTable[i] = EncodeALaw(MuLawToLinear[i]);
            ALawToMuLawTable[i] = EncodeMuLaw(ALawToLinear[i]);
        }
    }

    public static short DecodeMuLaw(byte value) => MuLawToLinear[value];
    public static short DecodeALaw(byte value) => ALawToLinear[value];
    public static byte EncodeMuLaw(short sample) => LinearToMuLaw[(ushort)sample >> 2];
    public static byte EncodeALaw(short sample) => LinearToALaw[(ushort)sample >> 3];
    public static byte MuLawToALaw(byte value) => MuLawToALawTable[value];
    public static byte ALawToMuLaw(byte value) => ALawToMuLawTable[value];

    public static void DecodeMuLaw(ReadOnlySpan<byte> source, Span<short> destination)
    {
        destination = destination[..source.Length];
        for (var i = 0; i < source.Length; i++) destination[i] = MuLawToLinear[source[i]];
    }

    public static void DecodeALaw(ReadOnlySpan<byte> source, Span<short> destination)
    {
        destination = destination[..source.Length];
        for (var i = 0; i < source.Length; i++) destination[i] = ALawToLinear[source[i]];
    }

    public static void EncodeMuLaw(ReadOnlySpan<short> source, Span<byte> destination)
    {
        destination = destination[..source.Length];
        for (var i = 0; i < source.Length; i++) destination[i] = LinearToMuLaw[(ushort)source[i] >> 2];
    }

    public static void EncodeALaw(ReadOnlySpan<short> source, Span<byte> destination)
    {
        destination = destination[..source.Length];
        for (var i = 0; i < source.Length; i++) destination[i] = LinearToALaw[(ushort)source[i] >> 3];
    }

    /// <summary>PCMU payload to PCMA (or back with <see cref="ALawToMuLaw(ReadOnlySpan{byte}, Span{byte})"/>); source and destination may be the same.</summary>
    public static void MuLawToALaw(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        destination = destination[..source.Length];
        for (var i = 0; i < source.Length; i++) destination[i] = MuLawToALawTable[source[i]];
    }

    public static void ALawToMuLaw(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        destination = destination[..source.Length];
        for (var i = 0; i < source.Length; i++) destination[i] = ALawToMuLawTable[source[i]];
    }

    private static short ComputeMuLawDecode(byte value)
    {
        var u = ~value & 0xFF;
        var t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    private static short ComputeALawDecode(byte value)
    {
        var a = value ^ 0x55;
        var t = (a & 0x0F) << 4;
        var segment = (a & 0x70) >> 4;
        t = segment switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (segment - 1),
        };
        return (short)((a & 0x80) != 0 ? t : -t);
    }

    private static byte ComputeMuLawEncode(short sample)
    {
        const int bias = 0x84 >> 2, clip = 8159;
        int pcm = sample >> 2, mask;
        if (pcm < 0)
        {
            pcm = -pcm;
            mask = 0x7F;
        }
        else mask = 0xFF;
        pcm = Math.Min(pcm, clip) + bias;
        var segment = Segment(pcm, 0x3F);
        if (segment >= 8) return (byte)(0x7F ^ mask);
        return (byte)(((segment << 4) | ((pcm >> (segment + 1)) & 0x0F)) ^ mask);
    }

    private static byte ComputeALawEncode(short sample)
    {
        int pcm = sample >> 3, mask;
        if (pcm >= 0) mask = 0xD5;
        else
        {
            mask = 0x55;
            pcm = -pcm - 1;
        }
        var segment = Segment(pcm, 0x1F);
        if (segment >= 8) return (byte)(0x7F ^ mask);
        var a = segment << 4 | (segment < 2 ? (pcm >> 1) & 0x0F : (pcm >> segment) & 0x0F);
        return (byte)(a ^ mask);
    }

    /// <summary>The segment: the first of the eight doubling end points (starting at <paramref name="firstEnd"/>) the value does not exceed.</summary>
    private static int Segment(int value, int firstEnd)
    {
        var end = firstEnd;
        for (var segment = 0; segment < 8; segment++, end = end << 1 | 1)
            if (value <= end) return segment;
        return 8;
    }
}
