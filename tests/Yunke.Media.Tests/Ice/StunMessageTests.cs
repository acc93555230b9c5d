using System.Net;
using System.Text;
using Yunke.Media.Ice;

namespace Yunke.Media.Tests.Ice;

/// <summary>Against the test vectors of RFC 5769 (the password of all three, the transaction id they share).</summary>
public sealed class StunMessageTests
{
    private const string Password = "VOkJxbRl1RmTxUk/WvJxBt";
    private static readonly byte[] TransactionId = Convert.FromHexString("b7e7a701bc34d686fa87dfae");

    // RFC 5769 2.1: a binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.
    private static readonly byte[] SampleRequest = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae" +
        "802200105354554e207465737420636c69656e74" +
        "002400046e0001ff" +
        "80290008932ff9b151263b36" +
        "000600096576746a3a68367659202020" +
        "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" +
        "80280004e57a3bcf");

    // RFC 5769 2.2: the success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853.
    private static readonly byte[] SampleIPv4Response = Convert.FromHexString(
        "0101003c2112a442b7e7a701bc34d686fa87dfae" +
        "8022000b7465737420766563746f7220" +
        "002000080001a147e112a643" +
        "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
        "80280004c07d4c96");

    // RFC 5769 2.3: the same with [2001:db8:1234:5678:11:2233:4455:6677]:32853.
    private static readonly byte[] SampleIPv6Response = Convert.FromHexString(
        "010100482112a442b7e7a701bc34d686fa87dfae" +
        "8022000b7465737420766563746f7220" +
        "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
        "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" +
        "80280004c8fb0b4c");

    [Fact]
    public void The_sample_request_is_read_and_its_integrity_and_fingerprint_check()
    {
        StunMessage.TryParse(SampleRequest, out var message).ShouldBeTrue();

        message.Class.ShouldBe(StunClass.Request);
        message.Method.ShouldBe(StunMessage.BindingMethod);
        message.TransactionId.ToArray().ShouldBe(TransactionId);
        message.Software.ShouldBe("STUN test client");
        message.Priority.ShouldBe(0x6e0001ffu);
        message.IceControlled.ShouldBe(0x932ff9b151263b36ul);
        message.IceControlling.ShouldBeNull();
        message.UseCandidate.ShouldBeFalse();
        message.Username.ShouldBe("evtj:h6vY");
        message.UnknownComprehensionRequiredCount.ShouldBe(0);
        message.CheckFingerprint().ShouldBeTrue();
        message.CheckIntegrity(Password).ShouldBeTrue();
        message.CheckIntegrity("VOkJxbRl1RmTxUk/WvJxBu").ShouldBeFalse();
    }

    [Fact]
    public void The_sample_responses_carry_the_mapped_addresses()
    {
        StunMessage.TryParse(SampleIPv4Response, out var v4).ShouldBeTrue();
        v4.Class.ShouldBe(StunClass.SuccessResponse);
        v4.Software.ShouldBe("test vector");
        v4.XorMappedAddress.ShouldBe(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853));
        v4.CheckIntegrity(Password).ShouldBeTrue();
        v4.CheckFingerprint().ShouldBeTrue();

        StunMessage.TryParse(SampleIPv6Response, out var v6).ShouldBeTrue();
        v6.XorMappedAddress.ShouldBe(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        v6.CheckIntegrity(Password).ShouldBeTrue();
        v6.CheckFingerprint().ShouldBeTrue();
    }

    [Fact]
    public void Writing_the_samples_again_reproduces_them_byte_for_byte()
    {
        // The RFC pads with spaces; integrity and fingerprint cover the padding, so the writer pads the same here.
        var buffer = new byte[256];
        var request = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, TransactionId) { Padding = 0x20 };
        request.AddString(StunAttributeType.Software, "STUN test client");
        request.AddUInt32(StunAttributeType.Priority, 0x6e0001ff);
        request.AddUInt64(StunAttributeType.IceControlled, 0x932ff9b151263b36);
        request.AddString(StunAttributeType.Username, "evtj:h6vY");
        request.AddMessageIntegrity(Encoding.UTF8.GetBytes(Password));
        request.AddFingerprint();
        Convert.ToHexString(buffer, 0, request.Length).ShouldBe(Convert.ToHexString(SampleRequest));

        Convert.ToHexString(WriteResponse(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853))).ShouldBe(Convert.ToHexString(SampleIPv4Response));
        Convert.ToHexString(WriteResponse(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853)))
            .ShouldBe(Convert.ToHexString(SampleIPv6Response));
    }

    private static byte[] WriteResponse(IPEndPoint mapped)
    {
        var buffer = new byte[256];
        var response = new StunWriter(buffer, StunClass.SuccessResponse, StunMessage.BindingMethod, TransactionId) { Padding = 0x20 };
        response.AddString(StunAttributeType.Software, "test vector");
        response.AddXorMappedAddress(mapped);
        response.AddMessageIntegrity(Encoding.UTF8.GetBytes(Password));
        response.AddFingerprint();
        return buffer[..response.Length];
    }

    [Fact]
    public void A_changed_byte_breaks_the_fingerprint_and_the_integrity()
    {
        var bytes = SampleRequest.ToArray();
        bytes[55] ^= 0x01; // inside ICE-CONTROLLED's tie-breaker

        StunMessage.TryParse(bytes, out var message).ShouldBeTrue();
        message.CheckFingerprint().ShouldBeFalse();
        message.CheckIntegrity(Password).ShouldBeFalse();
    }

    [Theory]
    [InlineData(StunClass.Request, 0x0001)]
    [InlineData(StunClass.Indication, 0x0011)]
    [InlineData(StunClass.SuccessResponse, 0x0101)]
    [InlineData(StunClass.ErrorResponse, 0x0111)]
    public void The_class_bits_sit_between_the_method_bits(StunClass messageClass, int type)
    {
        var buffer = new byte[20];
        new StunWriter(buffer, messageClass, StunMessage.BindingMethod, TransactionId);
        (buffer[0] << 8 | buffer[1]).ShouldBe(type);
        StunMessage.TryParse(buffer, out var message).ShouldBeTrue();
        message.Class.ShouldBe(messageClass);
        message.Method.ShouldBe(StunMessage.BindingMethod);

        // Method 0xABC (all bits used) survives the interleaving too.
        new StunWriter(buffer, messageClass, 0xABC, TransactionId);
        StunMessage.TryParse(buffer, out var other).ShouldBeTrue();
        other.Method.ShouldBe((ushort)0xABC);
        other.Class.ShouldBe(messageClass);
    }

    [Fact]
    public void Error_codes_and_unknown_attributes_round_trip_with_zero_padding()
    {
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunClass.ErrorResponse, StunMessage.BindingMethod, TransactionId);
        writer.AddErrorCode(420, "Unknown Attribute");
        writer.AddAttribute(0x7F01, [1, 2, 3]);           // comprehension-required, unknown
        writer.AddAttribute(0x7F01, [4]);                 // the same again: listed once
        writer.AddAttribute(0xC001, [9, 9, 9, 9, 9]);     // comprehension-optional: skipped silently
        writer.AddFingerprint();

        writer.Length.ShouldBe(20 + (4 + 24) + (4 + 4) + (4 + 4) + (4 + 8) + 8);
        buffer[20 + 4 + 4 + 17].ShouldBe((byte)0);       // the reason's padding is zeros
        StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out var message).ShouldBeTrue();
        message.ErrorCode.ShouldBe(420);
        message.ErrorReason.ShouldBe("Unknown Attribute");
        message.UnknownComprehensionRequiredCount.ShouldBe(2);
        Span<ushort> unknown = stackalloc ushort[4];
        unknown[..message.GetUnknownAttributes(unknown)].ToArray().ShouldBe([(ushort)0x7F01]);
        message.TryGetAttribute(0x7F01, out var first).ShouldBeTrue();
        first.ToArray().ShouldBe([1, 2, 3]);
        message.CheckFingerprint().ShouldBeTrue();
        message.HasMessageIntegrity.ShouldBeFalse();
        message.CheckIntegrity(Password).ShouldBeFalse();
    }

    [Fact]
    public void Attributes_after_the_integrity_other_than_the_fingerprint_do_not_count()
    {
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, TransactionId);
        writer.AddString(StunAttributeType.Username, "abcd:efgh");
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(Password));
        writer.AddAttribute(StunAttributeType.UseCandidate, []);
        writer.AddAttribute(0x7F01, [1]);
        writer.AddFingerprint();

        StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out var message).ShouldBeTrue();
        message.UseCandidate.ShouldBeFalse();
        message.UnknownComprehensionRequiredCount.ShouldBe(0);
        // The MAC was computed before the two were added; the length patched to end at MESSAGE-INTEGRITY still verifies.
        message.CheckIntegrity(Password).ShouldBeTrue();
        message.CheckFingerprint().ShouldBeTrue();
    }

    [Fact]
    public void Malformed_messages_are_refused()
    {
        StunMessage.TryParse([], out _).ShouldBeFalse();
        StunMessage.TryParse(SampleRequest.AsSpan(0, 19), out _).ShouldBeFalse();           // shorter than a header
        StunMessage.TryParse(SampleRequest.AsSpan(0, SampleRequest.Length - 4), out _).ShouldBeFalse(); // length says more
        StunMessage.TryParse([.. SampleRequest, 0, 0, 0, 0], out _).ShouldBeFalse();        // trailing bytes
        StunMessage.TryParse(With(SampleRequest, 4, 0x21, 0x12, 0xA4, 0x43), out _).ShouldBeFalse(); // not the magic cookie
        StunMessage.TryParse(With(SampleRequest, 0, 0x40), out _).ShouldBeFalse();          // top bits set: RTP, DTLS...
        StunMessage.TryParse(With(SampleRequest, 2, 0x00, 0x57), out _).ShouldBeFalse();    // length not a multiple of 4
        StunMessage.TryParse(With(SampleRequest, 22, 0x01, 0x00), out _).ShouldBeFalse();   // SOFTWARE runs past the end
        StunMessage.TryParse(With(SampleIPv4Response, 41, 0x03), out _).ShouldBeFalse();    // address family 3

        // Well framed, but a known attribute of the wrong size, or something after FINGERPRINT (which must be last).
        var buffer = new byte[64];
        var priority = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, TransactionId);
        priority.AddAttribute(StunAttributeType.Priority, [1, 2, 3, 4, 5]);
        StunMessage.TryParse(buffer.AsSpan(0, priority.Length), out _).ShouldBeFalse();
        priority = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, TransactionId);
        priority.AddAttribute(StunAttributeType.Priority, [1, 2, 3, 4]);
        StunMessage.TryParse(buffer.AsSpan(0, priority.Length), out var fine).ShouldBeTrue();
        fine.Priority.ShouldBe(0x01020304u);

        var writer = new StunWriter(buffer, StunClass.Request, StunMessage.BindingMethod, TransactionId);
        writer.AddFingerprint();
        writer.AddAttribute(StunAttributeType.UseCandidate, []);
        StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out _).ShouldBeFalse();
    }

    private static byte[] With(byte[] bytes, int offset, params byte[] patch)
    {
        var copy = bytes.ToArray();
        patch.CopyTo(copy, offset);
        return copy;
    }
}
