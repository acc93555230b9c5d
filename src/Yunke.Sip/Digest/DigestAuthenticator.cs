using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Yunke.Sip.Digest;

public enum DigestOutcome
{
    /// <summary>The credentials prove knowledge of the password for this nonce.</summary>
    Valid,
    /// <summary>Right password, but the nonce has expired: challenge again with stale=true.</summary>
    Stale,
    /// <summary>The response does not match: wrong password (or user).</summary>
    WrongResponse,
    /// <summary>A nonce we did not issue, or one tampered with.</summary>
    UnknownNonce,
    /// <summary>A nonce-count already seen for this nonce: a replayed request.</summary>
    Replayed,
    /// <summary>Credentials we cannot check: other realm or algorithm, missing qop parameters.</summary>
    Malformed,
}

/// <summary>
/// The server side of SIP Digest authentication (RFC 2617 / RFC 7616, MD5, qop=auth).
/// Nonces carry their own issue time and an HMAC under a secret key, so any instance holding the key can
/// check them without shared state, and an expired one is told apart from a forged one (stale=true).
/// Replays are caught by remembering the highest nonce-count seen per nonce in a fixed table of slots
/// (as Kamailio's nc array does): a nonce's slot follows from its random part, a newer nonce landing in the
/// same slot takes it over, and the older one is then answered stale, so the phone simply asks for a new
/// challenge. Memory stays fixed and every check is O(1), with no sweeping on the request path.
/// Passwords are never needed: verification takes the stored HA1.
/// </summary>
public sealed class DigestAuthenticator
{
    private const int RandomBytes = 8;
    private const int MacBytes = 16;
    private const int LockStripes = 64;

    private readonly byte[] key;
    private readonly TimeProvider clock;
    private readonly NonceUse[] uses;
    private readonly Lock[] locks = Enumerable.Range(0, LockStripes).Select(_ => new Lock()).ToArray();

    /// <param name="realm">The protection space, e.g. the domain of the registrar.</param>
    /// <param name="key">Secret for signing nonces; share it between instances that must accept each other's nonces.</param>
    /// <param name="clock">Time source, so tests can age nonces.</param>
    /// <param name="nonceLifetime">How long a nonce is accepted; five minutes when not given.</param>
    /// <param name="trackedNonces">
    /// Slots for nonce-counts (24 bytes each; 2^18, about 6 MB, when not given): a nonce in use keeps its slot until a
    /// newer one takes it, on average slots / verifications-per-second seconds.
    /// </param>
    public DigestAuthenticator(string realm, byte[] key, TimeProvider clock, TimeSpan? nonceLifetime = null, int trackedNonces = 1 << 18)
    {
        if (key.Length < 16) throw new ArgumentException("The nonce key needs at least 16 bytes.", nameof(key));
        ArgumentOutOfRangeException.ThrowIfLessThan(trackedNonces, 1);
        uses = new NonceUse[trackedNonces];
        Realm = realm;
        this.key = key.ToArray();
        this.clock = clock;
        NonceLifetime = nonceLifetime ?? TimeSpan.FromMinutes(5);
    }

    public string Realm { get; }
    public TimeSpan NonceLifetime { get; }

    public DigestChallenge CreateChallenge(bool stale = false) => new(Realm, CreateNonce()) { Stale = stale };

    public DigestOutcome Verify(DigestCredentials credentials, string method, string ha1)
    {
        if (!string.Equals(credentials.Realm, Realm, StringComparison.Ordinal)) return DigestOutcome.Malformed;
        if (credentials.Algorithm is { } algorithm && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase)) return DigestOutcome.Malformed;
        // We always offer qop=auth, so RFC 2617 3.2.2 obliges the client to use it; that is what makes nc checkable.
        if (!string.Equals(credentials.Qop, "auth", StringComparison.OrdinalIgnoreCase) || credentials.Cnonce is null
            || credentials.NonceCount is not { Length: 8 } ncText
            || !uint.TryParse(ncText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var nc) || nc == 0)
            return DigestOutcome.Malformed;

        if (!TryReadNonce(credentials.Nonce, out var issued, out var random)) return DigestOutcome.UnknownNonce;

        var expected = DigestHash.Response(ha1, credentials.Nonce, method, credentials.Uri, "auth", credentials.NonceCount, credentials.Cnonce);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credentials.Response.ToLowerInvariant())))
            return DigestOutcome.WrongResponse;

        var now = clock.GetUtcNow();
        if (now - issued > NonceLifetime || issued - now > TimeSpan.FromMinutes(1)) return DigestOutcome.Stale;

        return Use(new NonceUse(issued.ToUnixTimeMilliseconds(), random, nc));
    }

    // The slot holds the newest nonce verified in it. An older nonce than that has lost its count, so it cannot
    // be checked for replay any more: stale, which makes the phone ask again. A newer one takes the slot over.
    private DigestOutcome Use(NonceUse use)
    {
        var slot = (int)((ulong)use.Random % (ulong)uses.Length);
        lock (locks[slot % LockStripes])
        {
            ref var held = ref uses[slot];
            var order = (held.IssuedMs, held.Random).CompareTo((use.IssuedMs, use.Random));
            if (order > 0) return DigestOutcome.Stale;
            if (order == 0 && use.Count <= held.Count) return DigestOutcome.Replayed;
            held = use;
            return DigestOutcome.Valid;
        }
    }

    private string CreateNonce()
    {
        Span<byte> nonce = stackalloc byte[8 + RandomBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, clock.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(8, RandomBytes));
        Sign(nonce[..(8 + RandomBytes)], nonce[(8 + RandomBytes)..]);
        return Convert.ToBase64String(nonce).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private bool TryReadNonce(string text, out DateTimeOffset issued, out long random)
    {
        issued = default;
        random = 0;
        Span<byte> nonce = stackalloc byte[8 + RandomBytes + MacBytes];
        var padded = text.Replace('-', '+').Replace('_', '/') + "==";
        if (text.Length != 43 || !Convert.TryFromBase64String(padded[..44], nonce, out var written) || written != nonce.Length) return false;
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(nonce[..(8 + RandomBytes)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, nonce[(8 + RandomBytes)..])) return false;
        issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(nonce));
        random = BinaryPrimitives.ReadInt64BigEndian(nonce[8..]);
        return true;
    }

    private void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(key, data, full);
        full[..MacBytes].CopyTo(mac);
    }

    /// <summary>A nonce (its issue time and random part) and the highest nonce-count seen with it.</summary>
    private record struct NonceUse(long IssuedMs, long Random, uint Count);
}
