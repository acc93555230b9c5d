using Yunke.Media.Codecs;

namespace Yunke.Media.Tests.Codecs;

public sealed class G711Tests
{
    [Theory]
    // Values of the G.711 reference (ITU-T G.191 / Sun g711.c): silence, the extremes, and points inside segments.
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x00, -32124)]
    [InlineData(0x80, 32124)]
    [InlineData(0xFE, 8)]
    [InlineData(0x7E, -8)]
    [InlineData(0xEF, 132)]
    [InlineData(0xCF, 924)]
    [InlineData(0x8F, 16764)]
    public void Mu_law_decodes_to_the_reference_values(int code, int linear)
    {
        G711.DecodeMuLaw((byte)code).ShouldBe((short)linear);
    }

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    [InlineData(0xC5, 264)]
    [InlineData(0xF5, 528)]
    public void A_law_decodes_to_the_reference_values(int code, int linear)
    {
        G711.DecodeALaw((byte)code).ShouldBe((short)linear);
    }

    [Theory]
    [InlineData(0, 0xFF, 0xD5)]
    [InlineData(-1, 0x7E, 0x55)] // the reference shifts (floors) before encoding: -1 lands just below zero
    [InlineData(100, 0xF2, 0xD3)]
    [InlineData(-100, 0x72, 0x53)]
    [InlineData(32767, 0x80, 0xAA)]
    [InlineData(-32768, 0x00, 0x2A)]
    [InlineData(1000, 0xCE, 0xFA)]
    [InlineData(-1000, 0x4E, 0x7A)]
    public void Encoding_gives_the_reference_codes(int linear, int muLaw, int aLaw)
    {
        G711.EncodeMuLaw((short)linear).ShouldBe((byte)muLaw);
        G711.EncodeALaw((short)linear).ShouldBe((byte)aLaw);
    }

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (var code = 0; code < 256; code++)
        {
            // µ-law has two zeros (0x7F, 0xFF); encoding zero gives the positive one.
            var expectedMu = code == 0x7F ? 0xFF : code;
            G711.EncodeMuLaw(G711.DecodeMuLaw((byte)code)).ShouldBe((byte)expectedMu, $"µ-law 0x{code:X2}");
            G711.EncodeALaw(G711.DecodeALaw((byte)code)).ShouldBe((byte)code, $"A-law 0x{code:X2}");
        }
    }

    [Fact]
    public void Encoding_is_within_half_a_step_and_monotonic()
    {
        short previousMu = short.MinValue, previousA = short.MinValue;
        for (int x = short.MinValue; x <= short.MaxValue; x += 7)
        {
            var mu = G711.DecodeMuLaw(G711.EncodeMuLaw((short)x));
            var a = G711.DecodeALaw(G711.EncodeALaw((short)x));
            mu.ShouldBeGreaterThanOrEqualTo(previousMu);
            a.ShouldBeGreaterThanOrEqualTo(previousA);
            // The quantisation step is at most 1024 (µ-law) / 1024 (A-law) in the top segment: relative error under 1/16.
            Math.Abs(mu - x).ShouldBeLessThanOrEqualTo(Math.Max(132, Math.Abs(x) / 16 + 64));
            Math.Abs(a - x).ShouldBeLessThanOrEqualTo(Math.Max(16, Math.Abs(x) / 16 + 64));
            previousMu = mu;
            previousA = a;
        }
    }

    [Fact]
    public void Transcoding_tables_match_decode_then_encode_and_spans_agree()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var toA = new byte[256];
        G711.MuLawToALaw(all, toA);
        var toMu = new byte[256];
        G711.ALawToMuLaw(all, toMu);
        for (var i = 0; i < 256; i++)
        {
            toA[i].ShouldBe(G711.EncodeALaw(G711.DecodeMuLaw((byte)i)));
            toMu[i].ShouldBe(G711.EncodeMuLaw(G711.DecodeALaw((byte)i)));
        }

        short[] samples = [0, 100, -100, 12345, -32768, 32767];
        var encoded = new byte[samples.Length];
        var decoded = new short[samples.Length];
        G711.EncodeALaw(samples, encoded);
        G711.DecodeALaw(encoded, decoded);
        decoded.ShouldBe(samples.Select(s => G711.DecodeALaw(G711.EncodeALaw(s))).ToArray());
    }
}
