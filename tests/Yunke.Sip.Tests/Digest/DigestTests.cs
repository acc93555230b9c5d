using Microsoft.Extensions.Time.Testing;
using Yunke.Sip.Digest;

namespace Yunke.Sip.Tests.Digest;

public class DigestTests
{
    private static readonly byte[] Key = "0123456789abcdef0123456789abcdef"u8.ToArray();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly DigestAuthenticator server;
    private readonly string ha1 = DigestHash.Ha1("1001", "yunke.example", "s3cret");

    public DigestTests() => server = new DigestAuthenticator("yunke.example", Key, clock, TimeSpan.FromMinutes(5));

    [Fact]
    public void Rfc2617_example_response()
    {
        // RFC 2617 3.5: Mufasa / "Circle Of Life".
        var challenge = new DigestChallenge("testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093") { Opaque = "5ccc069c403ebaf9f0171e9517f40e41" };
        var credentials = DigestClient.CreateCredentials(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b");
        credentials.Response.ShouldBe("6629fae49393a05397450978507c4ef1");
        credentials.NonceCount.ShouldBe("00000001");
    }

    [Fact]
    public void Challenge_and_credentials_round_trip_through_header_text()
    {
        var challenge = server.CreateChallenge() with { Opaque = "op\"aque" };
        DigestChallenge.TryParse(challenge.ToString(), out var parsed, out var error).ShouldBeTrue(error);
        parsed.ShouldBe(challenge);

        var credentials = DigestClient.CreateCredentials(parsed, "1001", "s3cret", "REGISTER", "sip:yunke.example");
        DigestCredentials.TryParse(credentials.ToString(), out var back, out error).ShouldBeTrue(error);
        back.ShouldBe(credentials);
    }

    [Fact]
    public void Parses_a_softphone_authorization_header()
    {
        var header = "Digest username=\"1001\",realm=\"yunke.example\",nonce=\"abc\",uri=\"sip:yunke.example\",response=\"0123\",algorithm=MD5,cnonce=\"x y\",qop=auth,nc=00000001";
        DigestCredentials.TryParse(header, out var c, out _).ShouldBeTrue();
        (c.Username, c.Cnonce, c.Qop, c.NonceCount, c.Algorithm).ShouldBe(("1001", "x y", "auth", "00000001", "MD5"));
    }

    [Theory]
    [InlineData("Basic realm=\"x\"")]
    [InlineData("Digest")]
    [InlineData("Digest realm=\"x\", nonce=\"unterminated")]
    [InlineData("Digest realm=\"x\" nonce=\"y\"")]
    [InlineData("Digest realm=\"x\", realm=\"y\", nonce=\"z\"")]
    public void Malformed_challenges_are_refused(string header)
    {
        DigestChallenge.TryParse(header, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    [Fact]
    public void Right_password_is_valid_and_wrong_one_is_not()
    {
        var challenge = server.CreateChallenge();
        server.Verify(DigestClient.CreateCredentials(challenge, "1001", "s3cret", "REGISTER", "sip:yunke.example"), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.Valid);
        server.Verify(DigestClient.CreateCredentials(challenge, "1001", "wrong", "REGISTER", "sip:yunke.example"), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.WrongResponse);
    }

    [Fact]
    public void Response_is_bound_to_the_method()
    {
        var credentials = DigestClient.CreateCredentials(server.CreateChallenge(), "1001", "s3cret", "REGISTER", "sip:yunke.example");
        server.Verify(credentials, "INVITE", ha1).ShouldBe(DigestOutcome.WrongResponse);
    }

    [Fact]
    public void Expired_nonce_with_right_password_is_stale()
    {
        var challenge = server.CreateChallenge();
        clock.Advance(TimeSpan.FromMinutes(4));
        server.Verify(DigestClient.CreateCredentials(challenge, "1001", "s3cret", "REGISTER", "sip:yunke.example"), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.Valid);
        clock.Advance(TimeSpan.FromMinutes(2));
        server.Verify(DigestClient.CreateCredentials(challenge, "1001", "s3cret", "REGISTER", "sip:yunke.example", 2), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.Stale);
        server.Verify(DigestClient.CreateCredentials(challenge, "1001", "wrong", "REGISTER", "sip:yunke.example", 3), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.WrongResponse);
        server.CreateChallenge(stale: true).ToString().ShouldEndWith("stale=true");
    }

    [Fact]
    public void Nonces_from_elsewhere_or_tampered_are_unknown()
    {
        var challenge = server.CreateChallenge();
        var forged = challenge with { Nonce = challenge.Nonce[..^2] + (challenge.Nonce[^2] == 'A' ? "B" : "A") + challenge.Nonce[^1] };
        server.Verify(DigestClient.CreateCredentials(forged, "1001", "s3cret", "REGISTER", "sip:yunke.example"), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.UnknownNonce);

        var other = new DigestAuthenticator("yunke.example", "another key, another server!!!!!"u8.ToArray(), clock);
        server.Verify(DigestClient.CreateCredentials(other.CreateChallenge(), "1001", "s3cret", "REGISTER", "sip:yunke.example"), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.UnknownNonce);

        var twin = new DigestAuthenticator("yunke.example", Key, clock);
        twin.Verify(DigestClient.CreateCredentials(challenge, "1001", "s3cret", "REGISTER", "sip:yunke.example"), "REGISTER", ha1)
            .ShouldBe(DigestOutcome.Valid); // same key: no shared state needed
    }

    [Fact]
    public void Nonce_count_must_grow()
    {
        var challenge = server.CreateChallenge();
        DigestCredentials Use(uint nc) => DigestClient.CreateCredentials(challenge, "1001", "s3cret", "REGISTER", "sip:yunke.example", nc);
        var first = Use(1);
        server.Verify(first, "REGISTER", ha1).ShouldBe(DigestOutcome.Valid);
        server.Verify(first, "REGISTER", ha1).ShouldBe(DigestOutcome.Replayed);
        server.Verify(Use(3), "REGISTER", ha1).ShouldBe(DigestOutcome.Valid);
        server.Verify(Use(2), "REGISTER", ha1).ShouldBe(DigestOutcome.Replayed);
    }

    [Fact]
    public void A_nonce_whose_count_was_forgotten_is_stale_never_valid_again()
    {
        // Four slots for a thousand nonces: memory stays fixed, and no replay of a forgotten nonce gets through.
        var small = new DigestAuthenticator("yunke.example", Key, clock, TimeSpan.FromMinutes(5), trackedNonces: 4);
        var used = new List<DigestCredentials>();
        for (var i = 0; i < 1000; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var credentials = DigestClient.CreateCredentials(small.CreateChallenge(), "1001", "s3cret", "REGISTER", "sip:yunke.example");
            small.Verify(credentials, "REGISTER", ha1).ShouldBe(DigestOutcome.Valid);
            used.Add(credentials);
        }
        var replays = used.Select(c => small.Verify(c, "REGISTER", ha1)).ToList();
        replays.ShouldNotContain(DigestOutcome.Valid);
        replays.Count(r => r == DigestOutcome.Stale).ShouldBeGreaterThan(990); // at most 4 still hold their slot
        replays.ShouldAllBe(r => r == DigestOutcome.Stale || r == DigestOutcome.Replayed);

        // The newest nonce keeps counting; an older one sharing its slot is stale, also with a higher count.
        var one = new DigestAuthenticator("yunke.example", Key, clock, TimeSpan.FromMinutes(5), trackedNonces: 1);
        var older = one.CreateChallenge();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var newer = one.CreateChallenge();
        DigestCredentials Use(DigestChallenge c, uint nc) => DigestClient.CreateCredentials(c, "1001", "s3cret", "REGISTER", "sip:yunke.example", nc);
        one.Verify(Use(older, 1), "REGISTER", ha1).ShouldBe(DigestOutcome.Valid);
        one.Verify(Use(newer, 1), "REGISTER", ha1).ShouldBe(DigestOutcome.Valid);
        one.Verify(Use(older, 2), "REGISTER", ha1).ShouldBe(DigestOutcome.Stale);
        one.Verify(Use(newer, 1), "REGISTER", ha1).ShouldBe(DigestOutcome.Replayed);
        one.Verify(Use(newer, 2), "REGISTER", ha1).ShouldBe(DigestOutcome.Valid);
    }

    [Fact]
    public void Credentials_we_cannot_check_are_malformed()
    {
        var challenge = server.CreateChallenge();
        var good = DigestClient.CreateCredentials(challenge, "1001", "s3cret", "REGISTER", "sip:yunke.example");
        server.Verify(good with { Realm = "other" }, "REGISTER", ha1).ShouldBe(DigestOutcome.Malformed);
        server.Verify(good with { Qop = null }, "REGISTER", ha1).ShouldBe(DigestOutcome.Malformed);
        server.Verify(good with { NonceCount = "1" }, "REGISTER", ha1).ShouldBe(DigestOutcome.Malformed);
        server.Verify(good with { Algorithm = "SHA-256" }, "REGISTER", ha1).ShouldBe(DigestOutcome.Malformed);
        var rfc2069 = DigestClient.CreateCredentials(challenge with { Qop = null }, "1001", "s3cret", "REGISTER", "sip:yunke.example");
        rfc2069.Qop.ShouldBeNull();
        server.Verify(rfc2069, "REGISTER", ha1).ShouldBe(DigestOutcome.Malformed);
    }
}
