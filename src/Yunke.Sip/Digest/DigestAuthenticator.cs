using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;

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
/// (as Kamailio's nc array does). Each nonce carries a serial number (from a random start) and takes the slot
/// serial mod slots, so a slot passes to a newer nonce only after a full round of slots has been issued; the
/// older nonce is then answered stale and the phone simply asks for a new challenge. Nonces in use at the same
/// time never share a slot (a random slot choice let two nonces in flight collide under load, and the first
/// answered was refused as stale). Memory stays fixed and every check is O(1), with no sweeping on the request path.
/// Passwords are never needed: verification takes the stored HA1.
/// </summary>
public sealed class DigestAuthenticator
{
    private const int SerialBytes = 8;
    private const int MacBytes = 16;
    private const int LockStripes = 64;

    private readonly byte[] key;
    // An HMAC context per thread, keyed once and reset after each nonce: the one-shot call set one up every time.
    private readonly ThreadLocal<IncrementalHash> signers;
    private readonly TimeProvider clock;
    private readonly NonceUse[] uses;
    private readonly Lock[] locks = Enumerable.Range(0, LockStripes).Select(_ => new Lock()).ToArray();
    // Random start: instances sharing a key do not issue the same nonces.
    private long serial = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    /// <param name="realm">The protection space, e.g. the domain of the registrar.</param>
    /// <param name="key">Secret for signing nonces; share it between instances that must accept each other's nonces.</param>
    /// <param name="clock">Time source, so tests can age nonces.</param>
    /// <param name="nonceLifetime">How long a nonce is accepted; five minutes when not given.</param>
    /// <param name="trackedNonces">
    /// Slots for nonce-counts (24 bytes each; 2^18, about 6 MB, when not given): a nonce keeps its count until this
    /// many newer nonces have been issued (at 8,000 challenges a second, 32 s; a phone uses a nonce within milliseconds).
    /// </param>
    public DigestAuthenticator(string realm, byte[] key, TimeProvider clock, TimeSpan? nonceLifetime = null, int trackedNonces = 1 << 18)
    {
        if (key.Length < 16) throw new ArgumentException("The nonce key needs at least 16 bytes.", nameof(key));
        ArgumentOutOfRangeException.ThrowIfLessThan(trackedNonces, 1);
        uses = new NonceUse[trackedNonces];
        Realm = realm;
        this.key = key.ToArray();
        signers = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, this.key));
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

        if (!TryReadNonce(credentials.Nonce, out var issued, out var nonceSerial)) return DigestOutcome.UnknownNonce;

        Span<byte> expected = stackalloc byte[DigestHash.HexLength];
        DigestHash.Response(ha1, credentials.Nonce, method, credentials.Uri, "auth", credentials.NonceCount, credentials.Cnonce, expected);
        if (!DigestHash.FixedTimeEqualsIgnoreCase(expected, credentials.Response)) return DigestOutcome.WrongResponse;

        var now = clock.GetUtcNow();
        if (now - issued > NonceLifetime || issued - now > TimeSpan.FromMinutes(1)) return DigestOutcome.Stale;

        return Use(new NonceUse(nonceSerial, nc));
    }

    // The slot holds the newest nonce verified in it. An older nonce than that has lost its count, so it cannot
    // be checked for replay any more: stale, which makes the phone ask again. A newer one takes the slot over.
    private DigestOutcome Use(NonceUse use)
    {
        var slot = (int)((ulong)use.Serial % (ulong)uses.Length);
        lock (locks[slot % LockStripes])
        {
            ref var held = ref uses[slot];
            if (held.Count != 0 && held.Serial != use.Serial)
            {
                // Serial-number arithmetic (RFC 1982): the start is random, so the counter may wrap.
                if (unchecked(use.Serial - held.Serial) < 0) return DigestOutcome.Stale;
            }
            else if (held.Count != 0 && use.Count <= held.Count) return DigestOutcome.Replayed;
            held = use;
            return DigestOutcome.Valid;
        }
    }

    private string CreateNonce()
    {
        Span<byte> nonce = stackalloc byte[8 + SerialBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, clock.GetUtcNow().ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(nonce[8..], Interlocked.Increment(ref serial));
        Sign(nonce[..(8 + SerialBytes)], nonce[(8 + SerialBytes)..]);
        return Base64Url.EncodeToString(nonce);
    }

    private bool TryReadNonce(string text, out DateTimeOffset issued, out long nonceSerial)
    {
        issued = default;
        nonceSerial = 0;
        Span<byte> nonce = stackalloc byte[8 + SerialBytes + MacBytes];
        if (text.Length != 43 || !Base64Url.TryDecodeFromChars(text, nonce, out var written) || written != nonce.Length) return false;
        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(nonce[..(8 + SerialBytes)], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, nonce[(8 + SerialBytes)..])) return false;
        issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(nonce));
        nonceSerial = BinaryPrimitives.ReadInt64BigEndian(nonce[8..]);
        return true;
    }

    private void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[32];
        var hmac = signers.Value!;
        hmac.AppendData(data);
        hmac.GetHashAndReset(full);
        full[..MacBytes].CopyTo(mac);
    }

    /// <summary>A nonce (its serial number) and the highest nonce-count seen with it; an empty slot has count 0.</summary>
    private record struct NonceUse(long Serial, uint Count);
}
