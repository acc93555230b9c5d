using System.Buffers.Binary;
using System.Collections.Concurrent;
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
/// Replays are caught by remembering the highest nonce-count seen per nonce while it lives.
/// Passwords are never needed: verification takes the stored HA1.
/// </summary>
public sealed class DigestAuthenticator
{
    private const int RandomBytes = 8;
    private const int MacBytes = 16;
    private const int MaxTrackedNonces = 100_000;

    private readonly byte[] key;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<string, NonceUse> uses = new(StringComparer.Ordinal);
    private long lastSweep;

    /// <param name="realm">The protection space, e.g. the domain of the registrar.</param>
    /// <param name="key">Secret for signing nonces; share it between instances that must accept each other's nonces.</param>
    /// <param name="clock">Time source, so tests can age nonces.</param>
    /// <param name="nonceLifetime">How long a nonce is accepted; five minutes when not given.</param>
    public DigestAuthenticator(string realm, byte[] key, TimeProvider clock, TimeSpan? nonceLifetime = null)
    {
        if (key.Length < 16) throw new ArgumentException("The nonce key needs at least 16 bytes.", nameof(key));
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

        if (!TryReadNonce(credentials.Nonce, out var issued)) return DigestOutcome.UnknownNonce;

        var expected = DigestHash.Response(ha1, credentials.Nonce, method, credentials.Uri, "auth", credentials.NonceCount, credentials.Cnonce);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credentials.Response.ToLowerInvariant())))
            return DigestOutcome.WrongResponse;

        var now = clock.GetUtcNow();
        if (now - issued > NonceLifetime || issued - now > TimeSpan.FromMinutes(1)) return DigestOutcome.Stale;

        Sweep(now);
        var expires = issued + NonceLifetime;
        while (true)
        {
            var current = uses.GetOrAdd(credentials.Nonce, _ => new NonceUse(0, expires));
            if (nc <= current.HighestCount) return DigestOutcome.Replayed;
            if (uses.TryUpdate(credentials.Nonce, current with { HighestCount = nc }, current)) return DigestOutcome.Valid;
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

    private bool TryReadNonce(string text, out DateTimeOffset issued)
    {
        issued = default;
        Span<byte> nonce = stackalloc byte[8 + RandomBytes + MacBytes];
        var padded = text.Replace('-', '+').Replace('_', '/') + "==";
        if (text.Length != 43 || !Convert.TryFromBase64String(padded[..44], nonce, out var written) || written != nonce.Length) return false;
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(nonce[..(8 + RandomBytes)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, nonce[(8 + RandomBytes)..])) return false;
        issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(nonce));
        return true;
    }

    private void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(key, data, full);
        full[..MacBytes].CopyTo(mac);
    }

    // Forget nonces that can no longer be used; bounded so a flood of fresh nonces cannot grow memory without end.
    private void Sweep(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref lastSweep);
        if (uses.Count < MaxTrackedNonces && now.UtcTicks - last < TimeSpan.TicksPerMinute) return;
        if (Interlocked.CompareExchange(ref lastSweep, now.UtcTicks, last) != last) return;
        foreach (var (nonce, use) in uses)
            if (use.Expires < now) uses.TryRemove(nonce, out _);
    }

    private sealed record NonceUse(uint HighestCount, DateTimeOffset Expires);
}
