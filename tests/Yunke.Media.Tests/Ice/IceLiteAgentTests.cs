using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Yunke.Media.Ice;

namespace Yunke.Media.Tests.Ice;

public sealed class IceLiteAgentTests
{
    private static readonly IceCredentials Ours = new("yNkE", "ourPasswordOf24Chars+/xy");
    private static readonly IceCredentials Browsers = new("bR0w", "theBrowsersPassword22ch");
    private static readonly IPEndPoint Wifi = new(IPAddress.Parse("198.51.100.7"), 54321);
    private static readonly IPEndPoint Mobile = new(IPAddress.Parse("203.0.113.9"), 61000);

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly byte[] response = new byte[IceLiteAgent.ResponseBufferSize];

    private IceLiteAgent NewAgent() => new(Browsers, Ours, clock);

    [Fact]
    public void A_nominated_check_is_answered_with_our_integrity_and_selects_its_source()
    {
        var agent = NewAgent();
        var check = new Check { Nominate = true };

        var result = agent.Handle(check.Write(), Wifi, response);

        result.Outcome.ShouldBe(IceCheckOutcome.Accepted);
        result.Nominated.ShouldBeTrue();
        result.SelectionChanged.ShouldBeTrue();
        StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
        answer.Class.ShouldBe(StunClass.SuccessResponse);
        answer.TransactionId.ToArray().ShouldBe(check.TransactionId);
        answer.XorMappedAddress.ShouldBe(Wifi);
        answer.CheckFingerprint().ShouldBeTrue();
        answer.CheckIntegrity(Ours.Password).ShouldBeTrue();        // what the browser checks it with
        answer.CheckIntegrity(Browsers.Password).ShouldBeFalse();
        agent.SelectedRemote.ShouldBe(Wifi);
        agent.LastConsentAt.ShouldBe(clock.GetUtcNow());
        agent.ConsentExpired.ShouldBeFalse();
    }

    [Fact]
    public void A_check_without_nomination_is_answered_but_selects_nothing_until_one_is_nominated()
    {
        var agent = NewAgent();

        var plain = agent.Handle(new Check().Write(), Wifi, response);
        plain.Outcome.ShouldBe(IceCheckOutcome.Accepted);
        plain.Nominated.ShouldBeFalse();
        agent.SelectedRemote.ShouldBeNull();
        agent.LastCheckAt.ShouldBe(clock.GetUtcNow());
        agent.ConsentExpired.ShouldBeFalse();

        agent.Handle(new Check { Nominate = true }.Write(), Wifi, response).SelectionChanged.ShouldBeTrue();
        agent.SelectedRemote.ShouldBe(Wifi);
        agent.Handle(new Check { Nominate = true }.Write(), Wifi, response).SelectionChanged.ShouldBeFalse(); // same pair again
    }

    [Fact]
    public void A_later_nomination_moves_the_pair_and_only_checks_on_the_selected_pair_renew_consent()
    {
        var agent = NewAgent();
        agent.Handle(new Check { Nominate = true }.Write(), Wifi, response);
        clock.Advance(TimeSpan.FromSeconds(5));

        var moved = agent.Handle(new Check { Nominate = true }.Write(), Mobile, response);

        moved.SelectionChanged.ShouldBeTrue();
        agent.SelectedRemote.ShouldBe(Mobile);
        var consent = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(20));
        agent.Handle(new Check().Write(), Wifi, response).Outcome.ShouldBe(IceCheckOutcome.Accepted); // the old path, not nominated
        agent.SelectedRemote.ShouldBe(Mobile);
        agent.LastConsentAt.ShouldBe(consent);
        agent.LastCheckAt.ShouldBe(clock.GetUtcNow());
    }

    [Fact]
    public void Consent_expires_30_seconds_after_the_last_check_on_the_selected_pair()
    {
        var agent = NewAgent();
        agent.Handle(new Check { Nominate = true }.Write(), Wifi, response);

        clock.Advance(TimeSpan.FromSeconds(29));
        agent.ConsentExpired.ShouldBeFalse();
        agent.Handle(new Check().Write(), Wifi, response); // a consent check: browsers send one every 5 s or so
        clock.Advance(TimeSpan.FromSeconds(29));
        agent.ConsentExpired.ShouldBeFalse();
        clock.Advance(TimeSpan.FromSeconds(2));
        agent.ConsentExpired.ShouldBeTrue();
    }

    [Theory]
    [InlineData("bR0w:yNkE", null)]     // the fragments the wrong way round
    [InlineData("xxxx:bR0w", null)]     // another session's ufrag
    [InlineData("yNkE:bR0w", "theBrowsersPassword22ch")] // keyed with the browser's own password instead of ours
    [InlineData("yNkE:bR0w", "ourPasswordOf24Chars+/xz")]
    public void Wrong_credentials_get_401_without_integrity_and_select_nothing(string username, string? key)
    {
        var agent = NewAgent();

        var result = agent.Handle(new Check { Nominate = true, Username = username, Key = key ?? Ours.Password }.Write(), Wifi, response);

        result.Outcome.ShouldBe(IceCheckOutcome.Unauthorized);
        StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
        answer.Class.ShouldBe(StunClass.ErrorResponse);
        answer.ErrorCode.ShouldBe(401);
        answer.HasMessageIntegrity.ShouldBeFalse();
        answer.CheckFingerprint().ShouldBeTrue();
        agent.SelectedRemote.ShouldBeNull();
        agent.LastCheckAt.ShouldBeNull();
    }

    [Fact]
    public void A_check_missing_username_integrity_or_fingerprint_gets_400()
    {
        var agent = NewAgent();

        foreach (var check in new[] { new Check { Username = null }, new Check { Key = null }, new Check { Fingerprint = false } })
        {
            var result = agent.Handle(check.Write(), Wifi, response);
            result.Outcome.ShouldBe(IceCheckOutcome.BadRequest);
            StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
            answer.ErrorCode.ShouldBe(400);
            answer.TransactionId.ToArray().ShouldBe(check.TransactionId);
        }
        agent.SelectedRemote.ShouldBeNull();
    }

    [Fact]
    public void A_peer_that_also_claims_the_controlled_role_gets_487_signed_and_nothing_is_selected()
    {
        var agent = NewAgent();

        var result = agent.Handle(new Check { Nominate = true, Controlling = false }.Write(), Wifi, response);

        result.Outcome.ShouldBe(IceCheckOutcome.RoleConflict);
        StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
        answer.ErrorCode.ShouldBe(487);
        answer.CheckIntegrity(Ours.Password).ShouldBeTrue();
        answer.CheckFingerprint().ShouldBeTrue();
        agent.SelectedRemote.ShouldBeNull();
    }

    [Fact]
    public void An_unknown_comprehension_required_attribute_gets_420_naming_it()
    {
        var agent = NewAgent();

        var result = agent.Handle(new Check { Nominate = true, Extra = 0x7ABC }.Write(), Wifi, response);

        result.Outcome.ShouldBe(IceCheckOutcome.UnknownAttributes);
        StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
        answer.ErrorCode.ShouldBe(420);
        answer.TryGetAttribute(StunAttributeType.UnknownAttributes, out var listed).ShouldBeTrue();
        listed.ToArray().ShouldBe([0x7A, 0xBC]);
        answer.CheckIntegrity(Ours.Password).ShouldBeTrue();
        agent.SelectedRemote.ShouldBeNull();

        // A comprehension-optional one (Chrome's GOOG-NETWORK-INFO) is simply skipped.
        agent.Handle(new Check { Nominate = true, Extra = 0xC057 }.Write(), Wifi, response).Outcome.ShouldBe(IceCheckOutcome.Accepted);
    }

    [Fact]
    public void Responses_indications_and_a_wrong_fingerprint_are_ignored()
    {
        var agent = NewAgent();
        var check = new Check { Nominate = true }.Write();
        check[^1] ^= 0xFF;
        agent.Handle(check, Wifi, response).ShouldBe(new IceCheckResult(IceCheckOutcome.Ignored, 0));

        agent.Handle(new Check { Nominate = true, Class = StunClass.Indication }.Write(), Wifi, response).Outcome.ShouldBe(IceCheckOutcome.Ignored);
        agent.Handle(new Check { Nominate = true, Class = StunClass.SuccessResponse }.Write(), Wifi, response).Outcome.ShouldBe(IceCheckOutcome.Ignored);
        agent.SelectedRemote.ShouldBeNull();
    }

    [Fact]
    public void An_ipv4_source_seen_through_a_dual_stack_socket_is_mapped_back_as_ipv4()
    {
        var agent = NewAgent();
        var mapped = new IPEndPoint(Wifi.Address.MapToIPv6(), Wifi.Port);

        var result = agent.Handle(new Check { Nominate = true }.Write(), mapped, response);

        StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
        answer.XorMappedAddress.ShouldBe(Wifi);
        agent.SelectedRemote.ShouldBe(mapped); // what the socket sends to
    }

    [Fact]
    public void Ipv6_sources_are_answered_too()
    {
        var agent = NewAgent();
        var source = new IPEndPoint(IPAddress.Parse("2001:db8::42"), 50000);

        var result = agent.Handle(new Check { Nominate = true }.Write(), source, response);

        StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out var answer).ShouldBeTrue();
        answer.XorMappedAddress.ShouldBe(source);
        answer.CheckIntegrity(Ours.Password).ShouldBeTrue();
    }

    [Fact]
    public void Generated_credentials_are_long_random_ice_chars_and_bad_remote_ones_are_refused()
    {
        var first = IceCredentials.Generate();
        var second = IceCredentials.Generate();
        IceCredentials.IsValidUfrag(first.Ufrag).ShouldBeTrue();
        IceCredentials.IsValidPassword(first.Password).ShouldBeTrue();
        first.Ufrag.Length.ShouldBeGreaterThanOrEqualTo(4);
        first.Password.Length.ShouldBeGreaterThanOrEqualTo(22);
        second.ShouldNotBe(first);
        new IceLiteAgent(Browsers).Local.Password.ShouldNotBe(new IceLiteAgent(Browsers).Local.Password);

        Should.Throw<ArgumentException>(() => new IceLiteAgent(new IceCredentials("abc", Browsers.Password))).ParamName.ShouldBe("remote");
        Should.Throw<ArgumentException>(() => new IceLiteAgent(new IceCredentials("abcd", "short")));
        Should.Throw<ArgumentException>(() => new IceLiteAgent(new IceCredentials("ab:d", Browsers.Password)));
    }

    [Fact]
    public void A_consent_check_on_the_selected_pair_allocates_nothing()
    {
        var agent = NewAgent();
        agent.Handle(new Check { Nominate = true }.Write(), Wifi, response);
        var check = new Check().Write();
        agent.Handle(check, Wifi, response); // warmed up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) agent.Handle(check, Wifi, response);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBeLessThan(100 * 24); // not even the smallest object per check (a one-off by the runtime is tolerated)
        agent.SelectedRemote.ShouldBe(Wifi);
    }

    [Fact]
    public void Garbage_truncated_and_oversized_datagrams_never_throw_nor_select_a_pair()
    {
        var agent = NewAgent();
        var random = new Random(5769);
        var valid = new Check { Nominate = true }.Write();
        var counts = new Dictionary<IceCheckOutcome, int>();

        for (var i = 0; i < 20_000; i++)
        {
            byte[] datagram = (i % 4) switch
            {
                0 => RandomBytes(random, random.Next(0, 200)),
                1 => valid[..random.Next(0, valid.Length)],                 // truncated
                2 => Mutated(random, valid),                                 // a few bytes changed
                _ => AttributeSoup(random),                                  // a valid header over random attributes
            };
            var result = agent.Handle(datagram, Wifi, response);
            counts[result.Outcome] = counts.GetValueOrDefault(result.Outcome) + 1;
            if (result.ResponseLength > 0) StunMessage.TryParse(response.AsSpan(0, result.ResponseLength), out _).ShouldBeTrue();
        }
        agent.Handle(RandomBytes(random, 70_000), Wifi, response).Outcome.ShouldBe(IceCheckOutcome.Ignored);
        var huge = new byte[65_555];                                         // the largest length a header can claim
        valid.AsSpan(0, 20).CopyTo(huge);
        huge[2] = 0xFF; huge[3] = 0xFC;
        agent.Handle(huge[..(20 + 0xFFFC)], Wifi, response).Outcome.ShouldBe(IceCheckOutcome.BadRequest); // zero-filled: well framed, no USERNAME

        agent.SelectedRemote.ShouldBeNull();
        counts.GetValueOrDefault(IceCheckOutcome.Unauthorized).ShouldBeGreaterThan(0); // the mutations did reach the integrity check
        counts.GetValueOrDefault(IceCheckOutcome.Accepted).ShouldBe(0);
        agent.Handle(valid, Wifi, response).Outcome.ShouldBe(IceCheckOutcome.Accepted); // and the agent still works
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A few bytes before FINGERPRINT changed and the fingerprint made right again, as an attacker would, so the change reaches the integrity check.</summary>
    private static byte[] Mutated(Random random, byte[] valid)
    {
        var bytes = valid.ToArray();
        var covered = bytes.Length - 8;
        for (var n = random.Next(1, 4); n > 0; n--) bytes[random.Next(covered)] ^= (byte)random.Next(1, 256);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(covered + 4), Crc32.HashToUInt32(bytes.AsSpan(0, covered)) ^ StunMessage.FingerprintXor);
        return bytes;
    }

    private static byte[] AttributeSoup(Random random)
    {
        var attributes = new List<byte>();
        for (var n = random.Next(0, 8); n > 0; n--)
        {
            ushort[] types = [0x0006, 0x0008, 0x0009, 0x0020, 0x0024, 0x0025, 0x8028, 0x8029, 0x802A, 0x000A, (ushort)random.Next(0x10000)];
            var type = types[random.Next(types.Length)];
            var length = random.Next(0, 4) == 0 ? random.Next(0x10000) : random.Next(0, 30); // sometimes a lie
            attributes.AddRange([(byte)(type >> 8), (byte)type, (byte)(length >> 8), (byte)length]);
            attributes.AddRange(RandomBytes(random, Math.Min(length, 30) + random.Next(0, 4)));
        }
        while (attributes.Count % 4 != 0) attributes.Add(0);
        var header = new byte[20];
        header[1] = 0x01;
        header[2] = (byte)(attributes.Count >> 8);
        header[3] = (byte)attributes.Count;
        header[4] = 0x21; header[5] = 0x12; header[6] = 0xA4; header[7] = 0x42;
        return [.. header, .. attributes];
    }

    /// <summary>A binding request as a browser sends it (Chrome's order): what differs from a valid check is set per test.</summary>
    private sealed class Check
    {
        public byte[] TransactionId { get; } = RandomNumberGenerator.GetBytes(12);
        public StunClass Class { get; init; } = StunClass.Request;
        public string? Username { get; init; } = Ours.Ufrag + ":" + Browsers.Ufrag;
        public string? Key { get; init; } = Ours.Password;   // a check to us is keyed with OUR password
        public bool Controlling { get; init; } = true;
        public bool Nominate { get; init; }
        public bool Fingerprint { get; init; } = true;
        public ushort? Extra { get; init; }

        public byte[] Write()
        {
            var buffer = new byte[256];
            var writer = new StunWriter(buffer, Class, StunMessage.BindingMethod, TransactionId);
            if (Username is not null) writer.AddString(StunAttributeType.Username, Username);
            if (Extra is { } type) writer.AddAttribute(type, [0, 1, 0, 0x0A]);
            writer.AddUInt64(Controlling ? StunAttributeType.IceControlling : StunAttributeType.IceControlled, 0x1122334455667788);
            if (Nominate) writer.AddAttribute(StunAttributeType.UseCandidate, []);
            writer.AddUInt32(StunAttributeType.Priority, 0x6E7F1EFF); // peer-reflexive priority, as Chrome sends
            if (Key is not null) writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(Key));
            if (Fingerprint) writer.AddFingerprint();
            return buffer[..writer.Length];
        }
    }
}
