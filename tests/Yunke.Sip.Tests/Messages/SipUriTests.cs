using Yunke.Sip.Messages;

namespace Yunke.Sip.Tests.Messages;

public class SipUriTests
{
    [Fact]
    public void Sip_uri_with_everything()
    {
        var uri = SipUri.Parse("sips:alice:secret@atlanta.example.com:5061;transport=tls;lr?subject=project%20x&priority=urgent");
        uri.IsSecure.ShouldBeTrue();
        uri.User.ShouldBe("alice");
        uri.Password.ShouldBe("secret");
        uri.Host.ShouldBe("atlanta.example.com");
        uri.Port.ShouldBe(5061);
        uri.Parameters["transport"].ShouldBe("tls");
        uri.Parameters.Contains("lr").ShouldBeTrue();
        uri.Parameters["lr"].ShouldBeNull();
        uri.Headers["subject"].ShouldBe("project%20x");
        uri.Headers["priority"].ShouldBe("urgent");
        uri.ToString().ShouldBe("sips:alice:secret@atlanta.example.com:5061;transport=tls;lr?subject=project%20x&priority=urgent");
    }

    [Theory] // RFC 5118 IPv6 references
    [InlineData("sip:[2001:db8::10]", "[2001:db8::10]", null)]
    [InlineData("sip:user@[2001:db8::10]:5070", "[2001:db8::10]", 5070)]
    [InlineData("sip:[2001:db8::9:1];maddr=[2001:db8::9:255]", "[2001:db8::9:1]", null)]
    [InlineData("sip:[::ffff:192.0.2.10]", "[::ffff:192.0.2.10]", null)]
    [InlineData("sip:[2001:db8::10]:5070", "[2001:db8::10]", 5070)]
    public void Ipv6_references(string text, string host, int? port)
    {
        var uri = SipUri.Parse(text);
        uri.Host.ShouldBe(host);
        uri.Port.ShouldBe(port);
        uri.ToString().ShouldBe(text);
    }

    [Theory]
    [InlineData("sip:[2001:db8::10")]       // unterminated (RFC 5118 4.5 ipv6-bad)
    [InlineData("sip:2001:db8::10")]        // unbracketed
    [InlineData("sip:[2001:db8:::10]")]
    [InlineData("sip:user@host;;x")]
    [InlineData("sip:us%zzer@host")]
    [InlineData("sip:user@host name")]
    [InlineData("<sip:user@host>")]
    public void Bad_uris_are_refused(string text)
    {
        SipUri.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    [Fact]
    public void Tel_uri()
    {
        var uri = SipUri.Parse("tel:+1-201-555-0123;phone-context=example.com");
        uri.IsTel.ShouldBeTrue();
        uri.User.ShouldBe("+1-201-555-0123");
        uri.Parameters["phone-context"].ShouldBe("example.com");
        uri.ToString().ShouldBe("tel:+1-201-555-0123;phone-context=example.com");
    }

    [Fact]
    public void Name_address_forms()
    {
        var a = NameAddress.Parse("\"Alice \\\"A\\\"\" <sip:alice@example.com;transport=udp>;tag=7");
        a.DisplayName.ShouldBe("Alice \"A\"");
        a.Uri.Parameters["transport"].ShouldBe("udp");
        a.Tag.ShouldBe("7");
        a.ToString().ShouldBe("\"Alice \\\"A\\\"\" <sip:alice@example.com;transport=udp>;tag=7");

        var b = NameAddress.Parse("sip:bob@example.com;tag=9");
        b.DisplayName.ShouldBeNull();
        b.Uri.Parameters.Count.ShouldBe(0);
        b.Tag.ShouldBe("9");

        var c = NameAddress.Parse("Bob Smith <sip:bob@[2001:db8::1]:5060>");
        c.DisplayName.ShouldBe("Bob Smith");
        c.Uri.Host.ShouldBe("[2001:db8::1]");
    }
}
