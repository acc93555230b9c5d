using System.Text;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Tests.Messages;

/// <summary>RFC 4475: every message, byte for byte from TortureMessages/, parsed as the RFC says it must be.</summary>
public class TortureTests
{
    private static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TortureMessages", name + ".sip"));

    private static SipParseResult Parse(string name) => SipParser.Parse(Load(name));

    private static SipRequest Request(string name)
    {
        var result = Parse(name);
        result.Error.ShouldBeNull();
        return result.Message.ShouldBeOfType<SipRequest>();
    }

    [Fact]
    public void All_49_messages_are_present()
    {
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TortureMessages"), "*.sip").Length.ShouldBe(49);
    }

    // 3.1.1 Valid messages

    [Fact]
    public void Wsinv_short_tortuous_invite()
    {
        var m = Request("wsinv");
        m.Method.ShouldBe("INVITE");
        m.Uri.User.ShouldBe("vivekg");
        m.Uri.Host.ShouldBe("chair-dnrc.example.com");
        m.Uri.Parameters.Contains("unknownparam").ShouldBeTrue();
        m.To!.Tag.ShouldBe("1918181833n");
        m.To.DisplayName.ShouldBeNull();
        m.From!.Tag.ShouldBe("98asjd8");
        m.From.DisplayName.ShouldBe("J Rosenberg \\\"");
        m.MaxForwards.ShouldBe(68);
        m.CallId.ShouldBe("wsinv.ndaksdj@192.0.2.1");
        m.CSeq.ShouldBe(new CSeq(9, "INVITE"));
        m.Headers.Get("Subject").ShouldBe("");
        m.Headers.Get("NewFangledHeader").ShouldBe("newfangled value continued newfangled value");
        m.Headers.Get("UnknownHeaderWithUnusualValue").ShouldBe(";;,,;;,;");
        m.ContentType.ShouldBe("application/sdp");
        var vias = m.Vias;
        vias.Select(v => (v.Transport, v.Host, v.Branch)).ShouldBe(
        [
            ("UDP", "192.0.2.2", "390skdjuw"), ("TCP", "spindle.example.com", "z9hG4bK9ikj8"), ("UDP", "192.168.255.111", "z9hG4bK30239"),
        ]);
        var contact = m.Contacts.ShouldHaveSingleItem();
        contact.Address!.DisplayName.ShouldBe("Quoted string \"\"");
        contact.Address.Uri.User.ShouldBe("jdrosen");
        contact.Address.Parameters["newparam"].ShouldBe("newvalue");
        contact.Address.Parameters.Contains("secondparam").ShouldBeTrue();
        contact.Q.ShouldBe(0.33);
        var route = NameAddress.Parse(m.Headers.Get("Route")!);
        route.Uri.Parameters["unknownwith"].ShouldBe("value");
        route.Uri.Parameters.Contains("unknown-no-value").ShouldBeTrue();
        m.Body.Length.ShouldBe(150);
        m.BodyText.ShouldStartWith("v=0\r\n");
    }

    [Fact]
    public void Intmeth_wide_range_of_valid_characters()
    {
        var m = Request("intmeth");
        m.Method.ShouldBe("!interesting-Method0123456789_*+`.%indeed'~");
        m.Uri.User.ShouldBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
        m.Uri.Password.ShouldBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
        m.Uri.Host.ShouldBe("example.com");
        m.Vias.ShouldHaveSingleItem().Branch.ShouldBe("z9hG4bK-.!%66*_+`'~");
        m.To!.DisplayName.ShouldBe("BEL:\x07 NUL:\0 DEL:\x7F");
        m.To.Uri.User.ShouldBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
        m.From!.DisplayName.ShouldBe("token1~` token2'+_ token3*%!.-");
        m.From.Parameters["fromParam''~+*_!.-%"].ShouldBe("\"работающий\"");
        m.From.Tag.ShouldBe("_token~1'+`*%!-.");
        m.CallId.ShouldBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
        m.CSeq.ShouldBe(new CSeq(139122385, "!interesting-Method0123456789_*+`.%indeed'~"));
        m.MaxForwards.ShouldBe(255);
        m.Headers.Get("extensionHeader-!.%*+_`'~").ShouldBe("\uFEFF大停電");
    }

    [Fact]
    public void Esc01_percent_escapes_are_kept_and_comparable()
    {
        var m = Request("esc01");
        m.Uri.User.ShouldBe("sips%3Auser%40example.com");
        SipUri.Unescape(m.Uri.User!).ShouldBe("sips:user@example.com");
        SipUri.Unescape(m.To!.Uri.User!).ShouldBe("user");
        SipUri.Unescape(m.From!.Uri.User!).ShouldBe("I have spaces");
        m.CallId.ShouldBe("esc01.239409asdfakjkn23onasd0-3234");
        m.ContentType.ShouldBe("application/sdp");
        var uri = m.Contacts.ShouldHaveSingleItem().Address!.Uri;
        SipUri.Unescape(uri.User!).ShouldBe("caller");
        uri.Parameters.Contains("%6C%72").ShouldBeTrue();
        uri.Parameters["n%61me"].ShouldBe("v%61lue%25%34%31");
        SipUri.Unescape(uri.Parameters["n%61me"]!).ShouldBe("value%41"); // never unescaped twice
    }

    [Fact]
    public void Escnull_keeps_escaped_nulls_whole()
    {
        var m = Request("escnull");
        m.To!.Uri.User.ShouldBe("null-%00-null");
        SipUri.Unescape(m.To.Uri.User!).ShouldBe("null-\0-null");
        m.Contacts.Select(c => c.Address!.Uri.User).ShouldBe(["%00", "%00%00"]);
    }

    [Fact]
    public void Esc02_percent_outside_escapes_is_plain()
    {
        var m = Request("esc02");
        m.Method.ShouldBe("RE%47IST%45R");
        m.To!.DisplayName.ShouldBe("%Z%45");
        m.Vias[0].Branch.ShouldBe("z9hG4bK209%fzsnel234");
        m.Contacts.Select(c => c.Address!.Uri.User).ShouldBe(["alias1", "alias3"]);
        m.Headers.Get("C%6Fntact").ShouldBe("<sip:alias2@host2.example.com>");
    }

    [Fact]
    public void Lwsdisp_display_name_without_space_before_angle()
    {
        var m = Request("lwsdisp");
        m.From!.DisplayName.ShouldBe("caller");
        m.From.Uri.User.ShouldBe("caller");
        m.From.Tag.ShouldBe("323");
    }

    [Fact]
    public void Longreq_long_values()
    {
        var m = Request("longreq");
        m.To!.DisplayName.ShouldBe("I have a user name of " + string.Concat(Enumerable.Repeat("extreme", 10)) + " proportion");
        m.To.Uri.Port.ShouldBe(6000);
        m.To.Uri.Parameters.Count.ShouldBe(3);
        m.From!.Tag.ShouldBe("12" + string.Concat(Enumerable.Repeat("982", 50)) + "424");
        m.From.Parameters.Count.ShouldBe(3);
        m.Vias.Count.ShouldBe(34);
        m.Vias[0].Host.ShouldBe("sip33.example.com");
        m.Vias[33].Received.ShouldBe("192.0.2.5");
        m.Vias[33].Branch.ShouldBe("very" + string.Concat(Enumerable.Repeat("long", 50)) + "branchvalue");
        m.Body.Length.ShouldBe(150);
    }

    [Fact]
    public void Dblreq_ignores_octets_after_the_body_of_a_datagram()
    {
        var data = Load("dblreq");
        var result = SipParser.Parse(data);
        var m = result.Message.ShouldBeOfType<SipRequest>();
        result.IsSuccess.ShouldBeTrue();
        m.Method.ShouldBe("REGISTER");
        m.Body.Length.ShouldBe(0);
        result.BytesConsumed.ShouldBeLessThan(data.Length);
        Encoding.ASCII.GetString(data, result.BytesConsumed, 8).ShouldBe("\r\nINVITE");
    }

    [Fact]
    public void Semiuri_user_part_with_semicolon()
    {
        var m = Request("semiuri");
        m.Uri.User.ShouldBe("user;par=u%40example.net");
        m.Uri.Host.ShouldBe("example.com");
        m.Uri.Parameters.Count.ShouldBe(0);
        m.Headers.GetValues("Accept").ShouldBe(["application/sdp", "application/pkcs7-mime", "multipart/mixed", "multipart/signed", "message/sip", "message/sipfrag"]);
    }

    [Fact]
    public void Transports_known_and_unknown()
    {
        Request("transports").Vias.Select(v => v.Transport).ShouldBe(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    }

    [Fact]
    public void Mpart01_binary_body_is_framed_by_content_length()
    {
        var m = Request("mpart01");
        m.Body.Length.ShouldBe(553);
        m.Body.Span.IndexOf((byte)0).ShouldBeGreaterThan(0);
        m.Body.Span.EndsWith("--7a9cbec02ceef655--\r\n"u8).ShouldBeTrue();
        var via = m.Vias.ShouldHaveSingleItem();
        via.Port.ShouldBe(5070);
        via.HasRport.ShouldBeTrue();
        via.Rport.ShouldBeNull();
    }

    [Fact]
    public void Unreason_utf8_reason_phrase()
    {
        var r = Parse("unreason").Message.ShouldBeOfType<SipResponse>();
        r.StatusCode.ShouldBe(200);
        r.ReasonPhrase.ShouldBe("= 2**3 * 5**2 но сто девяносто девять - простое");
        r.Body.Length.ShouldBe(154);
    }

    [Fact]
    public void Noreason_empty_reason_phrase()
    {
        var r = Parse("noreason").Message.ShouldBeOfType<SipResponse>();
        r.StatusCode.ShouldBe(100);
        r.ReasonPhrase.ShouldBe("");
    }

    // 3.1.2 Invalid messages: rejected, and answered with 400 (or 505) naming the problem when a request.

    [Theory]
    [InlineData("badinv01", 400, "Via")]
    [InlineData("clerr", 400, "Content-Length")]
    [InlineData("ncl", 400, "Content-Length")]
    [InlineData("scalar02", 400, "CSeq")]
    [InlineData("quotbal", 400, "To")]
    [InlineData("ltgtruri", 400, "Request-URI")]
    [InlineData("lwsruri", 400, "request line")]
    [InlineData("lwsstart", 400, "request line")]
    [InlineData("trws", 400, "request line")]
    [InlineData("escruri", 400, "Request-URI")]
    [InlineData("baddate", 400, "Date")]
    [InlineData("regbadct", 400, "Contact")]
    [InlineData("badaspec", 400, "To")]
    [InlineData("baddn", 400, "From")]
    [InlineData("badvers", 505, "Version")]
    [InlineData("mismatch01", 400, "CSeq")]
    [InlineData("mismatch02", 400, "CSeq")]
    public void Invalid_requests_are_refused_with_a_reason(string name, int status, string reasonMentions)
    {
        var result = Parse(name);
        result.IsSuccess.ShouldBeFalse();
        result.IsRequest.ShouldBe(true);
        result.ErrorStatusCode.ShouldBe(status);
        result.Error!.ShouldContain(reasonMentions, Case.Insensitive);
        var answer = result.CreateErrorResponse().ShouldNotBeNull();
        answer.StatusCode.ShouldBe(status);
        answer.ReasonPhrase.ShouldBe(result.Error);
        answer.CallId.ShouldNotBeNullOrEmpty();
        // The answer echoes the request's own (possibly malformed) header fields, as RFC 3261 8.2.6.2 says.
        answer.ToString().ShouldStartWith($"SIP/2.0 {status} {result.Error}\r\n");
        answer.Headers.GetValues("Via").ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("scalarlg")]
    [InlineData("bigcode")]
    public void Invalid_responses_are_dropped(string name)
    {
        var result = Parse(name);
        result.IsSuccess.ShouldBeFalse();
        result.IsRequest.ShouldBe(false);
        result.CreateErrorResponse().ShouldBeNull();
    }

    // 3.2 and 3.3: syntactically valid; what to do is the application's choice, which these values allow.

    [Fact]
    public void Badbranch_parses_with_an_empty_transaction_id()
    {
        Request("badbranch").Vias.ShouldHaveSingleItem().Branch.ShouldBe(Via.MagicCookie);
    }

    [Fact]
    public void Insuf_missing_required_headers_is_refused()
    {
        var result = Parse("insuf");
        result.ErrorStatusCode.ShouldBe(400);
        result.Error.ShouldStartWith("Missing");
        result.CreateErrorResponse().ShouldBeNull(); // no From/To/Call-ID to answer with
    }

    [Fact]
    public void Unknown_schemes_are_carried_opaquely()
    {
        var unkscm = Request("unkscm");
        unkscm.Uri.IsSip.ShouldBeFalse();
        unkscm.Uri.ToString().ShouldBe("nobodyKnowsThisScheme:totallyopaquecontent");
        Request("novelsc").Uri.Scheme.ShouldBe("soap.beep");
        var unksm2 = Request("unksm2");
        unksm2.To!.Uri.Scheme.ShouldBe("isbn");
        unksm2.From!.Uri.ToString().ShouldBe("http://www.example.com");
        unksm2.Contacts.ShouldHaveSingleItem().Address!.Uri.Scheme.ShouldBe("name");
    }

    [Fact]
    public void Bext01_require_and_proxy_require_are_listed()
    {
        var m = Request("bext01");
        m.Headers.GetValues("Require").ShouldBe(["nothingSupportsThis", "nothingSupportsThisEither"]);
        m.Headers.GetValues("Proxy-Require").ShouldBe(["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]);
    }

    [Fact]
    public void Invut_regaut01_sdp01_zeromf_parse()
    {
        Request("invut").ContentType.ShouldBe("application/unknownformat");
        Request("regaut01").Headers.Get("Authorization").ShouldBe("NoOneKnowsThisScheme opaque-data=here");
        Request("sdp01").Headers.Get("Accept").ShouldBe("text/nobodyKnowsThis");
        Request("zeromf").MaxForwards.ShouldBe(0);
    }

    [Fact]
    public void Multi01_and_mcl01_are_refused()
    {
        Parse("multi01").Error.ShouldStartWith("Multiple");
        Parse("mcl01").Error.ShouldBe("Multiple Content-Length headers");
    }

    [Fact]
    public void Bcast_response_parses()
    {
        var r = Parse("bcast").Message.ShouldBeOfType<SipResponse>();
        r.Vias[1].Host.ShouldBe("255.255.255.255");
    }

    [Fact]
    public void Contact_parameter_versus_uri_parameter()
    {
        var c1 = Request("cparam01").Contacts.ShouldHaveSingleItem().Address!;
        c1.Parameters.Contains("unknownparam").ShouldBeTrue();
        c1.Uri.Parameters.Contains("unknownparam").ShouldBeFalse();
        var c2 = Request("cparam02").Contacts.ShouldHaveSingleItem().Address!;
        c2.Uri.Parameters.Contains("unknownparam").ShouldBeTrue();
        c2.Parameters.Contains("unknownparam").ShouldBeFalse();
    }

    [Fact]
    public void Regescrt_contact_uri_keeps_its_escaped_header()
    {
        var uri = Request("regescrt").Contacts.ShouldHaveSingleItem().Address!.Uri;
        uri.Headers["Route"].ShouldBe("%3Csip:sip.example.com%3E");
    }

    // 3.4 Backward compatibility

    [Fact]
    public void Inv2543_rfc2543_request_is_accepted()
    {
        var m = Request("inv2543");
        m.Vias.ShouldHaveSingleItem().Branch.ShouldBeNull();
        m.From!.Tag.ShouldBeNull();
        m.MaxForwards.ShouldBeNull();
        m.Body.Length.ShouldBe(105); // no Content-Length over UDP: the body runs to the end of the datagram
    }

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void Valid_messages_survive_a_round_trip(string name)
    {
        var first = Parse(name).Message!;
        var again = SipParser.Parse(first.ToBytes());
        again.Error.ShouldBeNull();
        var second = again.Message!;
        second.Headers.Select(h => (h.Name, h.Value)).ShouldBe(first.Headers.Where(h => h.Name != "Content-Length").Select(h => (h.Name, h.Value)).Append(("Content-Length", first.Body.Length.ToString())));
        second.Body.ToArray().ShouldBe(first.Body.ToArray());
    }

    public static TheoryData<string> ValidMessages() =>
    [
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
        "mpart01", "unreason", "noreason", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01",
        "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543",
    ];
}
