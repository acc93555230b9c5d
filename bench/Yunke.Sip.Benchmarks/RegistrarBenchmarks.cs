using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Yunke.Sip.Digest;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Benchmarks;

/// <summary>
/// The registrar's own work per REGISTER, without sockets: answering the first REGISTER with a 401 challenge,
/// checking the digest of the second, and answering it 200 OK; each answer is built and written out as it would
/// be sent. The messages are sipp's, as the registration benchmark (bench/registration) sends them.
/// </summary>
[MemoryDiagnoser]
public class RegistrarBenchmarks
{
    private const string Realm = "yunke";
    private const string Ha1 = "3b1c3b5f0e6d1c8a7e2f4d9b0a1c2e3f";

    private readonly ArrayBufferWriter<byte> output = new(4096);
    private readonly DigestAuthenticator digest = new(Realm, "0123456789abcdef0123456789abcdef"u8.ToArray(), TimeProvider.System);
    private byte[] register = null!;
    private SipRequest parsed = null!;
    private DigestCredentials credentials = null!;

    [GlobalSetup]
    public void Setup()
    {
        var challenge = digest.CreateChallenge();
        var answer = DigestClient.CreateCredentials(challenge, "4829131001", "unused", "REGISTER", "sip:127.0.0.1:5060");
        // The stored HA1 here is not that password's: the check runs to the end and answers WrongResponse, every time.
        register = Encoding.UTF8.GetBytes(
            "REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 127.0.0.1:40999;branch=z9hG4bK-10161-5412-2;rport\r\n" +
            "Max-Forwards: 70\r\n" +
            "From: <sip:4829131001@127.0.0.1:5060>;tag=10161SIPpTag5412\r\n" +
            "To: <sip:4829131001@127.0.0.1:5060>\r\n" +
            "Call-ID: 5412-10161@127.0.0.1\r\n" +
            "CSeq: 2 REGISTER\r\n" +
            "Contact: <sip:4829131001@127.0.0.1:40999;transport=UDP>\r\n" +
            "Expires: 3600\r\n" +
            $"Authorization: {answer}\r\n" +
            "User-Agent: SIPp\r\n" +
            "Content-Length: 0\r\n\r\n");
        parsed = (SipRequest)(SipParser.Parse(register).Message ?? throw new InvalidOperationException("REGISTER does not parse"));
        credentials = answer;
    }

    [Benchmark]
    public SipParseResult ParseSippRegister() => SipParser.Parse(register);

    [Benchmark]
    public int Challenge401()
    {
        var response = SipResponse.CreateFor(parsed, 401, "Unauthorized", "5c113d544ea86ea5");
        response.Headers.Add(SipHeaderNames.WwwAuthenticate, digest.CreateChallenge().ToString());
        output.ResetWrittenCount();
        response.WriteTo(output);
        return output.WrittenCount;
    }

    [Benchmark]
    public DigestOutcome VerifyDigest()
    {
        DigestCredentials.TryParse(parsed.Headers.Get(SipHeaderNames.Authorization)!, out var c, out _);
        return digest.Verify(c ?? credentials, "REGISTER", Ha1);
    }

    /// <summary>
    /// The second REGISTER end to end as the registrar sees it: parse and validate; read From, To, Contact, CSeq
    /// and the credentials; the top Via stamped with received/rport as the UDP transport does; the 200 with the
    /// Contact built and written out (digest check apart: <see cref="VerifyDigest"/>).
    /// </summary>
    [Benchmark]
    public int RegisterRoundTrip()
    {
        var request = (SipRequest)SipParser.Parse(register).Message!;
        Yunke.Sip.Transports.SipTransport.StampVia(request, Source);
        var user = request.To!.Uri.User;
        var fromTag = request.From!.Tag;
        var cseq = request.CSeq!.Value.Number;
        var contacts = request.Contacts;
        DigestCredentials.TryParse(request.Headers.Get(SipHeaderNames.Authorization)!, out var c, out _);
        var response = SipResponse.CreateFor(request, 200, "OK", "5c113d544ea86ea5");
        response.Headers.Add(SipHeaderNames.Contact, $"<{contacts[0].Address!.Uri}>;expires={contacts[0].Expires ?? 3600}");
        output.ResetWrittenCount();
        response.WriteTo(output);
        return output.WrittenCount + (user?.Length ?? 0) + (fromTag?.Length ?? 0) + (int)cseq + (c?.Username.Length ?? 0);
    }

    private static readonly System.Net.IPEndPoint Source = new(System.Net.IPAddress.Loopback, 40999);

    [Benchmark]
    public int Ok200()
    {
        var response = SipResponse.CreateFor(parsed, 200, "OK", "5c113d544ea86ea5");
        response.Headers.Add(SipHeaderNames.Contact, "<sip:4829131001@127.0.0.1:40999;transport=UDP>;expires=3600");
        response.Headers.Add(SipHeaderNames.Date, DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        output.ResetWrittenCount();
        response.WriteTo(output);
        return output.WrittenCount;
    }
}
