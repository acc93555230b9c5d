using System.Buffers;
using System.Text;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Tests.Messages;

public class SipParserTests
{
    private const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "v=0\n";

    private static SipParseResult Parse(string text) => SipParser.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parses_a_request()
    {
        var result = Parse(Invite);
        result.IsSuccess.ShouldBeTrue();
        result.BytesConsumed.ShouldBe(Encoding.UTF8.GetByteCount(Invite));
        var m = result.Message.ShouldBeOfType<SipRequest>();
        m.Method.ShouldBe("INVITE");
        m.Uri.ToString().ShouldBe("sip:bob@biloxi.example.com");
        m.To!.DisplayName.ShouldBe("Bob");
        m.From!.Tag.ShouldBe("1928301774");
        var via = m.Vias.ShouldHaveSingleItem();
        via.Branch.ShouldBe("z9hG4bK776asdhds");
        via.HasRport.ShouldBeTrue();
        m.BodyText.ShouldBe("v=0\n");
    }

    [Fact]
    public void Compact_forms_are_stored_under_their_long_names()
    {
        var text = "OPTIONS sip:a@b.example SIP/2.0\r\nv: SIP/2.0/TCP h.example;branch=z9hG4bK1\r\nf: <sip:c@d.example>;tag=1\r\n" +
                   "t: sip:a@b.example\r\ni: abc\r\nCSeq: 1 OPTIONS\r\nm: <sip:c@h.example>\r\nk: path, gruu\r\nl: 0\r\n\r\n";
        var m = Parse(text).Message!;
        m.Headers.Select(h => h.Name).ShouldBe(["Via", "From", "To", "Call-ID", "CSeq", "Contact", "Supported", "Content-Length"]);
        m.CallId.ShouldBe("abc");
        m.Headers.GetValues("k").ShouldBe(["path", "gruu"]);
    }

    [Fact]
    public void Repeated_and_comma_separated_values_are_one_list()
    {
        var text = "REGISTER sip:r.example SIP/2.0\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example;branch=z9hG4bK2\r\n" +
                   "Via: SIP/2.0/UDP c.example:5062;branch=z9hG4bK3;received=192.0.2.9;rport=5070\r\nFrom: <sip:u@r.example>;tag=1\r\nTo: <sip:u@r.example>\r\n" +
                   "Call-ID: x\r\nCSeq: 2 REGISTER\r\nContact: \"A, B\" <sip:u@a.example>;expires=60;q=0.7, <sip:u@b.example;transport=tcp>\r\n" +
                   "Contact: sip:u@c.example;expires=0\r\nContent-Length: 0\r\n\r\n";
        var m = Parse(text).Message!;
        m.Vias.Select(v => v.Host).ShouldBe(["a.example", "b.example", "c.example"]);
        m.Vias[2].Port.ShouldBe(5062);
        m.Vias[2].Received.ShouldBe("192.0.2.9");
        m.Vias[2].Rport.ShouldBe(5070);
        var contacts = m.Contacts;
        contacts.Count.ShouldBe(3);
        contacts[0].Address!.DisplayName.ShouldBe("A, B");
        contacts[0].Expires.ShouldBe(60u);
        contacts[0].Q.ShouldBe(0.7);
        contacts[1].Address!.Uri.Parameters["transport"].ShouldBe("tcp");
        contacts[1].Expires.ShouldBeNull();
        contacts[2].Expires.ShouldBe(0u);
    }

    [Fact]
    public void Outbound_contact_with_quoted_instance_id()
    {
        var text = "REGISTER sip:r.example SIP/2.0\r\nVia: SIP/2.0/TCP [2001:db8::9:1]:5070;branch=z9hG4bK1;received=2001:db8::9:255;rport=5070\r\n" +
                   "From: <sip:u@r.example>;tag=1\r\nTo: <sip:u@r.example>\r\nCall-ID: x\r\nCSeq: 2 REGISTER\r\n" +
                   "Contact: <sip:u@[2001:db8::9:1]:5070;transport=tcp;ob>;reg-id=1;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";expires=600\r\n" +
                   "Content-Length: 0\r\n\r\n";
        var result = Parse(text);
        result.Error.ShouldBeNull();
        var contact = result.Message!.Contacts.ShouldHaveSingleItem();
        contact.Address!.Uri.Host.ShouldBe("[2001:db8::9:1]");
        contact.Address.Uri.Parameters.Contains("ob").ShouldBeTrue();
        contact.Address.Parameters["+sip.instance"].ShouldBe("\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"");
        contact.Expires.ShouldBe(600u);
        var via = result.Message.Vias.ShouldHaveSingleItem();
        via.Host.ShouldBe("[2001:db8::9:1]");
        via.Received.ShouldBe("2001:db8::9:255");
        via.Rport.ShouldBe(5070);
    }

    [Fact]
    public void Wildcard_contact_is_understood_and_must_stand_alone()
    {
        var text = "REGISTER sip:r.example SIP/2.0\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\nFrom: <sip:u@r.example>;tag=1\r\nTo: <sip:u@r.example>\r\n" +
                   "Call-ID: x\r\nCSeq: 2 REGISTER\r\nContact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n";
        var m = Parse(text).Message!;
        m.Contacts.ShouldHaveSingleItem().IsWildcard.ShouldBeTrue();
        m.Expires.ShouldBe(0u);
        Parse(text.Replace("Contact: *", "Contact: *, <sip:u@a.example>")).Error.ShouldBe("Contact * must stand alone");
    }

    [Fact]
    public void Folded_lines_are_unfolded()
    {
        var text = Invite.Replace("Subject", "x").Replace("CSeq: 314159 INVITE\r\n", "CSeq: 314159\r\n\tINVITE\r\nSubject: first\r\n  second\r\n");
        var m = Parse(text).Message!;
        m.CSeq.ShouldBe(new CSeq(314159, "INVITE"));
        m.Headers.Get("Subject").ShouldBe("first  second");
    }

    [Fact]
    public void Body_shorter_than_content_length_is_refused_and_longer_is_cut()
    {
        var tooShort = Parse(Invite.Replace("Content-Length: 4", "Content-Length: 40"));
        tooShort.Error.ShouldBe("Content-Length larger than the message");
        tooShort.CreateErrorResponse()!.StatusCode.ShouldBe(400);

        var longer = Parse(Invite.Replace("Content-Length: 4", "Content-Length: 2"));
        longer.IsSuccess.ShouldBeTrue();
        longer.Message!.BodyText.ShouldBe("v=");
    }

    [Theory]
    [InlineData("Content-Length: five")]
    [InlineData("Content-Length: -1")]
    [InlineData("Content-Length: 99999999999")]
    public void Bad_content_length_is_refused(string header)
    {
        Parse(Invite.Replace("Content-Length: 4", header)).Error.ShouldBe("Invalid Content-Length");
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\n")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nVia SIP/2.0/UDP x\r\n\r\n")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\n: empty name\r\n\r\n")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n")]
    [InlineData("\r\n\r\n\r\n")]
    [InlineData("SIP/2.0 20 OK\r\n\r\n")]
    [InlineData("INVITE sip: SIP/2.0\r\n\r\n")]
    [InlineData("INVITE sip:a@[::1 SIP/2.0\r\n\r\n")]
    [InlineData("INVITE sip:a@b:99999 SIP/2.0\r\n\r\n")]
    public void Garbage_is_a_result_not_an_exception(string text)
    {
        var result = Parse(text);
        result.IsSuccess.ShouldBeFalse();
        result.Error.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4475);
        var valid = Encoding.UTF8.GetBytes(Invite);
        for (var i = 0; i < 3000; i++)
        {
            var data = (byte[])valid.Clone();
            for (var k = random.Next(1, 8); k > 0; k--) data[random.Next(data.Length)] = (byte)random.Next(256);
            var cut = data[..random.Next(data.Length + 1)];
            Should.NotThrow(() => SipParser.Parse(cut));
        }
    }

    [Fact]
    public void Leading_crlfs_are_skipped()
    {
        var result = Parse("\r\n\r\n" + Invite);
        result.IsSuccess.ShouldBeTrue();
        result.BytesConsumed.ShouldBe(4 + Encoding.UTF8.GetByteCount(Invite));
    }

    [Fact]
    public void Multi_segment_sequences_parse_like_spans()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite);
        var first = new Segment(bytes.AsMemory(0, 50));
        var last = first.Append(bytes.AsMemory(50));
        var result = SipParser.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
        result.IsSuccess.ShouldBeTrue();
        result.Message!.CallId.ShouldBe("a84b4c76e66710@pc33.atlanta.example.com");
    }

    [Fact]
    public void Serializer_writes_start_line_headers_and_true_content_length()
    {
        var request = new SipRequest("OPTIONS", SipUri.Parse("sip:carol@chicago.example.com"));
        request.Headers.Add("Via", "SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKx");
        request.Headers.Add("Content-Length", "99");
        request.SetBody("text/plain", "héllo");
        Encoding.UTF8.GetString(request.ToBytes()).ShouldBe(
            "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKx\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhéllo");
    }

    [Fact]
    public void Response_for_a_request_copies_the_dialog_headers_and_adds_a_to_tag()
    {
        var request = (SipRequest)Parse(Invite).Message!;
        var response = SipResponse.CreateFor(request, 180, "Ringing", toTag: "abc");
        response.Headers.Select(h => h.Name).ShouldBe(["Via", "To", "From", "Call-ID", "CSeq"]);
        response.To!.Tag.ShouldBe("abc");
        response.To.DisplayName.ShouldBe("Bob");
        SipParser.Parse(response.ToBytes()).Message.ShouldBeOfType<SipResponse>().StatusCode.ShouldBe(180);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
