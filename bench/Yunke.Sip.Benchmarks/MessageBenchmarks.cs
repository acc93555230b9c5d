using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Benchmarks;

/// <summary>Parse and serialize of the two messages a contact center sees most: an INVITE with SDP and a REGISTER with credentials.</summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private const string InviteText =
        "INVITE sip:8001@yunke.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.15:5060;branch=z9hG4bK-524287-1---b2c9d0e3c1a2;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:1001@192.0.2.15:5060;transport=udp>\r\n" +
        "To: <sip:8001@yunke.example.com>\r\n" +
        "From: \"Agent 1001\" <sip:1001@yunke.example.com>;tag=3f2c6a1b\r\n" +
        "Call-ID: 9jUz7JXwQ2mWk1ZlR0l4cA..\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Supported: replaces, norefersub, extended-refer, timer, outbound, path\r\n" +
        "User-Agent: OpenEye softphone 3.2\r\n" +
        "Allow-Events: presence, kpml, talk\r\n" +
        "Content-Length: 231\r\n" +
        "\r\n" +
        "v=0\r\n" +
        "o=- 1732521600 1 IN IP4 192.0.2.15\r\n" +
        "s=OpenEye\r\n" +
        "c=IN IP4 192.0.2.15\r\n" +
        "t=0 0\r\n" +
        "m=audio 40000 RTP/AVP 8 0 101\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-15\r\n" +
        "a=sendrecv\r\n" +
        "a=ptime:20\r\n";

    private const string RegisterText =
        "REGISTER sip:yunke.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.15:5060;branch=z9hG4bK-524287-1---77d4a1c2e0f3;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:1001@192.0.2.15:5060;rinstance=6c4a2b1f0e9d8c7b;transport=udp>;expires=3600\r\n" +
        "To: <sip:1001@yunke.example.com>\r\n" +
        "From: <sip:1001@yunke.example.com>;tag=8a1b2c3d\r\n" +
        "Call-ID: Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA..\r\n" +
        "CSeq: 2 REGISTER\r\n" +
        "Expires: 3600\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n" +
        "Supported: replaces, norefersub, extended-refer, timer, outbound, path\r\n" +
        "User-Agent: OpenEye softphone 3.2\r\n" +
        "Authorization: Digest username=\"1001\",realm=\"yunke.example.com\",nonce=\"AAABk2xQ2gA1f3c9b7d2e4a60wq8ZpS1uY2Xr5mNcVbT0w\",uri=\"sip:yunke.example.com\",response=\"6629fae49393a05397450978507c4ef1\",cnonce=\"0a4f113b\",nc=00000001,qop=auth,algorithm=MD5\r\n" +
        "Allow-Events: presence, kpml, talk\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    private readonly byte[] invite = Encoding.UTF8.GetBytes(InviteText);
    private readonly byte[] register = Encoding.UTF8.GetBytes(RegisterText);
    private readonly ArrayBufferWriter<byte> output = new(4096);
    private SipMessage parsedInvite = null!;
    private SipMessage parsedRegister = null!;

    [GlobalSetup]
    public void Setup()
    {
        parsedInvite = SipParser.Parse(invite).Message ?? throw new InvalidOperationException("INVITE does not parse");
        parsedRegister = SipParser.Parse(register).Message ?? throw new InvalidOperationException("REGISTER does not parse");
    }

    [Benchmark]
    public SipParseResult ParseInvite() => SipParser.Parse(invite);

    [Benchmark]
    public SipParseResult ParseRegister() => SipParser.Parse(register);

    [Benchmark]
    public int SerializeInvite()
    {
        output.ResetWrittenCount();
        parsedInvite.WriteTo(output);
        return output.WrittenCount;
    }

    [Benchmark]
    public int SerializeRegister()
    {
        output.ResetWrittenCount();
        parsedRegister.WriteTo(output);
        return output.WrittenCount;
    }
}
