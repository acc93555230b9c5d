using System.Net;
using System.Text;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Tests.Messages;

/// <summary>What validation parses is kept on the message and handed out again: readers still get values of their own,
/// and the values follow changes to the header fields.</summary>
public class ParsedValuesTests
{
    private const string Register =
        "REGISTER sip:r.example SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1;rport\r\n" +
        "From: \"Desk 7\" <sip:1007@r.example;user=phone>;tag=f1\r\n" +
        "To: <sip:1007@r.example>\r\n" +
        "Call-ID: c1\r\n" +
        "CSeq: 9 REGISTER\r\n" +
        "Contact: <sip:1007@10.0.0.9:5060;transport=udp>;expires=60\r\n" +
        "Content-Length: 0\r\n\r\n";

    private static SipRequest Parse(string text) =>
        (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(text)).Message.ShouldNotBeNull();

    [Fact]
    public void Changing_what_From_To_and_Contacts_gave_changes_neither_the_message_nor_its_responses()
    {
        var m = Parse(Register);

        var to = m.To!;
        to.Tag = "mine";
        var from = m.From!;
        from.Uri.Parameters.Set("user", "ip");
        from.Tag = null;
        m.Contacts[0].Address!.Parameters.Set("expires", "0");

        m.To!.Tag.ShouldBeNull();
        m.From!.Tag.ShouldBe("f1");
        m.From.Uri.Parameters["user"].ShouldBe("phone");
        m.Contacts[0].Expires.ShouldBe(60u);
        SipResponse.CreateFor(m, 200, "OK", "t1").Headers.Get(SipHeaderNames.To).ShouldBe("<sip:1007@r.example>;tag=t1");
    }

    [Fact]
    public void Parsed_values_follow_changes_to_the_header_fields()
    {
        var m = Parse(Register);
        m.CSeq!.Value.Number.ShouldBe(9u);
        m.To!.Uri.User.ShouldBe("1007");

        m.Headers.Set(SipHeaderNames.CSeq, "10 REGISTER");
        m.Headers.Set(SipHeaderNames.To, "<sip:2002@r.example>;tag=x");
        m.Headers.Set(SipHeaderNames.Contact, "*");

        m.CSeq!.Value.Number.ShouldBe(10u);
        m.To!.Uri.User.ShouldBe("2002");
        m.To.Tag.ShouldBe("x");
        m.Contacts.ShouldHaveSingleItem().IsWildcard.ShouldBeTrue();
    }

    [Fact]
    public void A_wildcard_before_a_malformed_contact_is_the_error_reported()
    {
        var result = SipParser.Parse(Encoding.UTF8.GetBytes(Register.Replace("Contact: <sip:1007@10.0.0.9:5060;transport=udp>;expires=60", "Contact: *, <sip:bad")));
        result.Error.ShouldBe("Contact * must stand alone");
        SipParser.Parse(Encoding.UTF8.GetBytes(Register.Replace("Contact: <sip:1007@10.0.0.9:5060;transport=udp>;expires=60", "Contact: <sip:bad, *")))
            .Error.ShouldStartWith("Invalid Contact header");
    }

    [Fact]
    public void Stamping_changes_only_the_first_via_of_a_field_and_keeps_the_others_as_received()
    {
        var m = Parse(Register.Replace("Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1;rport",
            "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1;rport, SIP/2.0/TCP p.example;branch=z9hG4bK0"));

        SipTransport.StampVia(m, new IPEndPoint(IPAddress.Parse("192.0.2.4"), 40000));

        m.Headers.Get(SipHeaderNames.Via).ShouldBe(
            "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1;rport=40000;received=192.0.2.4, SIP/2.0/TCP p.example;branch=z9hG4bK0");
        m.TopVia!.Rport.ShouldBe(40000);
        m.Vias.Select(v => v.Received).ShouldBe(["192.0.2.4", null]);
    }

    [Fact]
    public void A_via_that_already_names_its_source_is_left_as_it_was()
    {
        var m = Parse(Register.Replace(";rport", ""));
        var before = m.Headers.Get(SipHeaderNames.Via);

        SipTransport.StampVia(m, new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5060));

        m.Headers.Get(SipHeaderNames.Via).ShouldBeSameAs(before);
        m.TopVia!.Received.ShouldBeNull();
    }

    [Fact]
    public void Recurring_strings_come_back_with_their_own_content()
    {
        var first = Parse(Register);
        var second = Parse(Register.Replace("1007", "1008"));

        first.To!.Uri.User.ShouldBe("1007");
        second.To!.Uri.User.ShouldBe("1008");
        second.Contacts[0].Address!.Uri.Parameters["transport"].ShouldBe("udp");
        first.Uri.Host.ShouldBe(second.Uri.Host);
    }
}
