using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Tests.Transports;

/// <summary>
/// Thousands of mutated messages over UDP, bounded in count and time: the endpoint must keep
/// answering every valid OPTIONS sent between them. The seed is fixed so a failure can be replayed.
/// </summary>
public sealed class UdpFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 4_475;
    private const int Mutants = 3000;
    private const int ProbeEvery = 100;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private static readonly string[] Seeds =
    [
        TestSip.Options("fuzz-seed-options", "UDP", 5060),
        "REGISTER sip:yunke.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;rport;branch=z9hG4bKreg1\r\nMax-Forwards: 70\r\n" +
        "From: \"Agent 1001\" <sip:1001@yunke.example>;tag=a1\r\nTo: <sip:1001@yunke.example>\r\nCall-ID: reg-1@10.0.0.9\r\nCSeq: 2 REGISTER\r\n" +
        "Contact: <sip:1001@10.0.0.9:5060;transport=udp>;expires=3600;q=0.9\r\n" +
        "Authorization: Digest username=\"1001\", realm=\"yunke\", nonce=\"abc\", uri=\"sip:yunke.example\", response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, cnonce=\"x\"\r\n" +
        "Expires: 3600\r\nContent-Length: 0\r\n\r\n",
        "INVITE sip:2002@yunke.example SIP/2.0\r\nv: SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bKinv1\r\nMax-Forwards: 70\r\n" +
        "f: <sip:1001@yunke.example>;tag=i1\r\nt: <sip:2002@yunke.example>\r\ni: inv-1\r\nCSeq: 1 INVITE\r\nm: <sip:1001@[2001:db8::9]:5062>\r\n" +
        "c: application/sdp\r\nl: 129\r\n\r\n" +
        "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n",
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnobody\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    ];

    [Fact]
    public async Task Mutated_messages_never_stop_the_endpoint_from_answering_valid_options()
    {
        var core = new TestSip.Core();
        await using var endpoint = new SipEndpoint(core.HandleAsync);
        var udp = endpoint.ListenUdp(TestSip.Loopback);
        using var fuzzer = new UdpPeer();
        using var phone = new UdpPeer();
        var random = new Random(Seed);
        var clock = Stopwatch.StartNew();

        var sent = 0;
        var probes = 0;
        while (sent < Mutants && clock.Elapsed < Budget)
        {
            fuzzer.Send(Mutate(random), udp.LocalEndPoint);
            sent++;
            if (sent % ProbeEvery != 0) continue;
            var callId = $"probe-{sent}";
            phone.Send(TestSip.Options(callId, "UDP", phone.Port), udp.LocalEndPoint);
            var answer = await phone.ResponseForAsync(callId);
            answer.ShouldNotBeNull($"OPTIONS after mutant {sent} (seed {Seed}) was not answered");
            answer.StatusCode.ShouldBe(200);
            probes++;
        }

        output.WriteLine($"{sent} mutants, {probes} probes answered, {core.Handled - probes} mutants reached the core, in {clock.Elapsed}");
        sent.ShouldBeGreaterThanOrEqualTo(1000); // the time budget must not hide a stalled loop
        probes.ShouldBe(sent / ProbeEvery);
        (core.Handled - probes).ShouldBeGreaterThan(sent / 20); // mutants that stayed valid reached the core too
    }

    private static byte[] Mutate(Random random)
    {
        // A fresh branch mostly, so mutants that stay valid open transactions instead of being absorbed as retransmissions.
        var text = Seeds[random.Next(Seeds.Length)];
        if (random.Next(4) != 0) text = text.Replace("branch=z9hG4bK", $"branch=z9hG4bK{random.Next()}");
        var bytes = Encoding.UTF8.GetBytes(text);
        switch (random.Next(7))
        {
            case 0: // noise
                var noise = new byte[random.Next(0, 1500)];
                random.NextBytes(noise);
                return noise;
            case 1: // truncation
                return bytes[..random.Next(bytes.Length)];
            case 2: // a header line repeated
            {
                var lines = text.Split("\r\n").ToList();
                var at = random.Next(1, Math.Max(2, lines.IndexOf("")));
                var copies = random.Next(1, 50);
                for (var i = 0; i < copies; i++) lines.Insert(at, lines[at]);
                return Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
            }
            case 3: // a few bytes replaced
                for (var i = random.Next(1, 8); i > 0; i--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 4: // a header line dropped
            {
                var lines = text.Split("\r\n").ToList();
                lines.RemoveAt(random.Next(1, Math.Max(2, lines.IndexOf(""))));
                return Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
            }
            case 5: // separators and numbers where they hurt
            {
                string[] evil = ["\r\n", "\0", ";;", "<", ">", "\"", ":", ",", " ", "\t", "%", "9999999999", "-1", "[", "]", "\r", "\n"];
                var at = random.Next(text.Length);
                return Encoding.UTF8.GetBytes(text[..at] + evil[random.Next(evil.Length)] + text[at..]);
            }
            default: // the message whole, sometimes with a lying Content-Length
                return random.Next(2) == 0 ? bytes : Encoding.UTF8.GetBytes(text.Replace("Content-Length: 0", $"Content-Length: {random.Next(-5, 100000)}"));
        }
    }
}
