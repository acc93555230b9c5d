using System.Buffers;
using System.Text;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Tests.Messages;

public class SipStreamFramerTests
{
    private static string Message(string callId, string body = "") =>
        $"OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/TCP h.example;branch=z9hG4bK{callId}\r\nFrom: <sip:c@d.example>;tag=1\r\n" +
        $"To: <sip:a@b.example>\r\nCall-ID: {callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    [Fact]
    public void Splits_messages_and_skips_keep_alives()
    {
        var framer = new SipStreamFramer();
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("\r\n\r\n" + Message("one", "hello") + "\r\n" + Message("two") + Message("three")[..40]));
        var ids = new List<string?>();
        while (framer.TryReadMessage(ref buffer, out var message) == SipFrameStatus.Message)
            ids.Add(SipParser.Parse(message).Message!.CallId);
        ids.ShouldBe(["one", "two"]);
        framer.PingsReceived.ShouldBe(1);
        buffer.Length.ShouldBe(40);
    }

    [Fact]
    public void Waits_for_the_whole_body()
    {
        var framer = new SipStreamFramer();
        var full = Encoding.UTF8.GetBytes(Message("one", "0123456789"));
        var partial = new ReadOnlySequence<byte>(full, 0, full.Length - 3);
        framer.TryReadMessage(ref partial, out _).ShouldBe(SipFrameStatus.NeedMoreData);
        var whole = new ReadOnlySequence<byte>(full);
        framer.TryReadMessage(ref whole, out var message).ShouldBe(SipFrameStatus.Message);
        message.Length.ShouldBe(full.Length);
        whole.IsEmpty.ShouldBeTrue();
    }

    [Theory]
    [InlineData("Content-Length: 0", "", "Missing Content-Length")]
    [InlineData("Content-Length: 0", "Content-Length: -4", "Invalid Content-Length")]
    [InlineData("Content-Length: 0", "Content-Length: 0\r\nl: 0", "Multiple Content-Length headers")]
    [InlineData("Content-Length: 0", "Content-Length: 70000", "Body too large")]
    public void Unframeable_streams_are_errors(string find, string replace, string error)
    {
        var framer = new SipStreamFramer();
        var text = Message("x").Replace(find + "\r\n", replace.Length == 0 ? "" : replace + "\r\n");
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));
        framer.TryReadMessage(ref buffer, out _).ShouldBe(SipFrameStatus.Error);
        framer.Error.ShouldBe(error);
    }

    [Fact]
    public void Endless_header_section_is_cut_off()
    {
        var framer = new SipStreamFramer(maxHeaderBytes: 1024);
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("OPTIONS sip:a@b SIP/2.0\r\n" + new string('X', 2000)));
        framer.TryReadMessage(ref buffer, out _).ShouldBe(SipFrameStatus.Error);
        framer.Error.ShouldBe("Header section too large");
    }
}
