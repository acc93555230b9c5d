using Yunke.Media.Codecs;

namespace Yunke.Media.Tests.Codecs;

public sealed class TelephoneEventTests
{
    [Fact]
    public void A_known_end_packet_is_read()
    {
        // RFC 4733 2.3: event 9, E=1, R=0, volume 10, duration 1600.
        TelephoneEvent.TryParse([0x09, 0x8A, 0x06, 0x40], out var e).ShouldBeTrue();

        e.ShouldBe(new TelephoneEvent(9, End: true, Volume: 10, Duration: 1600));
        e.Digit.ShouldBe('9');
    }

    [Fact]
    public void Events_round_trip()
    {
        var buffer = new byte[4];
        var e = new TelephoneEvent(TelephoneEvent.FromDigit('#'), End: false, Volume: 63, Duration: 65535);
        e.Write(buffer);
        buffer.ShouldBe([11, 63, 0xFF, 0xFF]);
        TelephoneEvent.TryParse(buffer, out var back).ShouldBeTrue();
        back.ShouldBe(e);
        TelephoneEvent.TryParse([1, 2, 3], out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('*', 10)]
    [InlineData('#', 11)]
    [InlineData('A', 12)]
    [InlineData('d', 15)]
    [InlineData('!', 16)]
    public void Digits_map_to_event_codes(char digit, int code)
    {
        TelephoneEvent.FromDigit(digit).ShouldBe((byte)code);
        TelephoneEvent.ToDigit((byte)code).ShouldBe(char.ToUpperInvariant(digit));
    }

    [Fact]
    public void Non_dtmf_events_have_no_digit()
    {
        TelephoneEvent.ToDigit(70).ShouldBeNull(); // a line tone (RFC 4734)
        Should.Throw<ArgumentOutOfRangeException>(() => TelephoneEvent.FromDigit('x'));
    }
}

public sealed class CodecRegistryTests
{
    [Fact]
    public void The_default_knows_pcmu_pcma_and_telephone_events()
    {
        var registry = CodecRegistry.Default;

        registry[0]!.Codec.ShouldBe(AudioCodec.Pcmu);
        registry[8]!.Codec.ShouldBe(AudioCodec.Pcma);
        registry[101]!.IsTelephoneEvent.ShouldBeTrue();
        registry.TelephoneEventPayloadType.ShouldBe(101);
        registry[18].ShouldBeNull();
        registry[200].ShouldBeNull();
    }

    [Fact]
    public void Negotiated_payload_types_are_found_by_number_and_name()
    {
        var registry = new CodecRegistry().With(8, "pcma").With(96, "telephone-event").With(9, "G722");

        registry.Find("PCMA")!.PayloadType.ShouldBe(8);
        registry.Find("PCMU").ShouldBeNull();
        registry.TelephoneEventPayloadType.ShouldBe(96);
        registry[9]!.Codec.ShouldBeNull(); // kept, but not decodable here
        CodecRegistry.FindCodec("PCMU").ShouldBe(AudioCodec.Pcmu);
        Should.Throw<ArgumentOutOfRangeException>(() => registry.With(128, "PCMU"));
    }
}
