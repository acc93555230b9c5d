using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Telephony;

/// <summary>
/// Thousands of mutated messages at the server's SIP port (random bytes, truncations, repeated and dropped
/// header lines, lying lengths), bounded in count and time: the server must keep answering every valid
/// OPTIONS sent between them and still register a phone afterwards. The seed is fixed so a failure replays.
/// </summary>
public sealed class SipFuzzTests(SqliteApp app, ITestOutputHelper output) : IClassFixture<SqliteApp>
{
    private const int Seed = 3261;
    private const int Mutants = 3000;
    private const int ProbeEvery = 50;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Mutated_messages_never_stop_the_server_from_answering()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        await using var fuzzer = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.60");
        await using var prober = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.61");
        string[] seeds =
        [
            fuzzer.Request("OPTIONS", "fuzz-options"),
            fuzzer.Register(number, [$"Contact: {fuzzer.Contact(number, ";expires=60;q=0.5")}\r\n"], "Expires: 120\r\n", ""),
            fuzzer.Register(number, ["Contact: *\r\n"], "Expires: 0\r\n",
                $"Authorization: Digest username=\"{number}\", realm=\"yunke\", nonce=\"abc\", uri=\"sip:127.0.0.1\", response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, cnonce=\"x\"\r\n"),
            fuzzer.Request("INVITE", "fuzz-invite", "Contact: <sip:x@127.0.0.60>\r\n"),
            fuzzer.Request("SUBSCRIBE", "fuzz-subscribe", "Event: presence\r\n"),
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.60;branch=z9hG4bKnobody\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
        ];
        var random = new Random(Seed);
        var clock = Stopwatch.StartNew();
        int sent = 0, probes = 0;
        while (sent < Mutants && clock.Elapsed < Budget)
        {
            fuzzer.SendRaw(Mutate(seeds[random.Next(seeds.Length)], random));
            sent++;
            if (sent % ProbeEvery != 0) continue;
            var answer = await prober.SendAsync(prober.Request("OPTIONS", $"probe-{sent}"));
            answer.StatusCode.ShouldBe(200, $"OPTIONS after mutant {sent} (seed {Seed})");
            probes++;
        }
        output.WriteLine($"{sent} mutants, {probes} probes answered, in {clock.Elapsed}");
        sent.ShouldBeGreaterThanOrEqualTo(1000);
        probes.ShouldBe(sent / ProbeEvery);

        await using var phone = await SipPhone.OpenAsync("TCP", app.SipPort, "127.0.0.62");
        (await phone.RegisterAsync(number, Softphones.Password)).StatusCode.ShouldBe(200);
        (await app.Anonymous().Http.GetAsync("/healthz")).IsSuccessStatusCode.ShouldBeTrue();
    }

    private static byte[] Mutate(string text, Random random)
    {
        // A fresh branch mostly, so mutants that stay valid open transactions instead of being absorbed as retransmissions.
        if (random.Next(4) != 0) text = text.Replace("branch=z9hG4bK", $"branch=z9hG4bK{random.Next()}");
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = text.Split("\r\n").ToList();
        var headerEnd = Math.Max(2, lines.IndexOf(""));
        switch (random.Next(7))
        {
            case 0:
                var noise = new byte[random.Next(0, 1500)];
                random.NextBytes(noise);
                return noise;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
            {
                var at = random.Next(1, headerEnd);
                for (var i = random.Next(1, 50); i > 0; i--) lines.Insert(at, lines[at]);
                return Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
            }
            case 3:
                for (var i = random.Next(1, 8); i > 0; i--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 4:
                lines.RemoveAt(random.Next(1, headerEnd));
                return Encoding.UTF8.GetBytes(string.Join("\r\n", lines));
            case 5:
            {
                string[] evil = ["\r\n", "\0", ";;", "<", ">", "\"", ":", ",", " ", "\t", "%", "9999999999", "-1", "[", "]", "*", "expires=0"];
                var at = random.Next(text.Length);
                return Encoding.UTF8.GetBytes(text[..at] + evil[random.Next(evil.Length)] + text[at..]);
            }
            default:
                return random.Next(2) == 0 ? bytes : Encoding.UTF8.GetBytes(text.Replace("Content-Length: 0", $"Content-Length: {random.Next(-5, 100000)}"));
        }
    }
}
