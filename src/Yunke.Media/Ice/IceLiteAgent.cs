using System.Net;
using System.Text;

namespace Yunke.Media.Ice;

/// <summary>What <see cref="IceLiteAgent.Handle"/> made of a datagram.</summary>
public enum IceCheckOutcome
{
    /// <summary>Not a binding request (a response, an indication, a bad FINGERPRINT, not STUN at all): nothing to send.</summary>
    Ignored,
    /// <summary>A valid check: the success response is to be sent.</summary>
    Accepted,
    /// <summary>400: USERNAME, MESSAGE-INTEGRITY or FINGERPRINT missing.</summary>
    BadRequest,
    /// <summary>401: not our ufrag pair, or not keyed with our password.</summary>
    Unauthorized,
    /// <summary>420: a comprehension-required attribute we do not know.</summary>
    UnknownAttributes,
    /// <summary>487: the peer claims the controlled role too.</summary>
    RoleConflict,
}

/// <summary>
/// The verdict on one datagram: send <c>response[..ResponseLength]</c> back to where it came from when the length is
/// above 0. <see cref="Nominated"/>: the check carried USE-CANDIDATE; <see cref="SelectionChanged"/>: media now goes
/// to a new address (<see cref="IceLiteAgent.SelectedRemote"/>).
/// </summary>
public readonly record struct IceCheckResult(IceCheckOutcome Outcome, int ResponseLength, bool Nominated = false, bool SelectionChanged = false);

/// <summary>
/// The ICE-lite agent of one media stream (RFC 8445 2.5): Yunke sits on a public address and anchors the media, so it
/// gathers no candidates and sends no checks; it answers the browser's binding requests on the call's one UDP socket
/// and learns from them where to send. Always the controlled agent. Not thread-safe for <see cref="Handle"/> (one
/// socket's receive thread calls it); the selection and consent may be read from any thread.
/// </summary>
public sealed class IceLiteAgent
{
    /// <summary>A response buffer of this size fits every answer (the largest, a 420 listing unknown attributes, is about 120 bytes).</summary>
    public const int ResponseBufferSize = 256;
    /// <summary>Consent to send lapses when no check has come for this long (RFC 7675 5.1).</summary>
    public static readonly TimeSpan ConsentTimeout = TimeSpan.FromSeconds(30);
    private const int MaxUnknownListed = 16;

    private readonly TimeProvider clock;
    private readonly byte[] expectedUsername; // "localUfrag:remoteUfrag": checks TO us name our fragment first (RFC 8445 7.2.2)
    private readonly byte[] localKey;         // checks to us and our answers are keyed with OUR password (RFC 8445 7.2.2, 7.3)
    private volatile IPEndPoint? selected;
    private long lastCheckTicks;               // UTC ticks; 0 = never
    private long lastConsentTicks;

    /// <param name="remote">The browser's a=ice-ufrag and a=ice-pwd.</param>
    /// <param name="local">Ours for the answer; fresh random ones by default.</param>
    public IceLiteAgent(IceCredentials remote, IceCredentials? local = null, TimeProvider? clock = null)
    {
        if (!IceCredentials.IsValidUfrag(remote.Ufrag)) throw new ArgumentException("The remote ice-ufrag must be 4–256 ice-chars.", nameof(remote));
        if (!IceCredentials.IsValidPassword(remote.Password)) throw new ArgumentException("The remote ice-pwd must be 22–256 ice-chars.", nameof(remote));
        Remote = remote;
        Local = local ?? IceCredentials.Generate();
        this.clock = clock ?? TimeProvider.System;
        expectedUsername = Encoding.UTF8.GetBytes(Local.Ufrag + ":" + Remote.Ufrag);
        localKey = Encoding.UTF8.GetBytes(Local.Password);
    }

    public IceCredentials Local { get; }
    public IceCredentials Remote { get; }

    /// <summary>Where media goes: the source of the latest nominated valid check; null until the browser nominates.</summary>
    public IPEndPoint? SelectedRemote => selected;
    /// <summary>When the last valid check (from anywhere) arrived.</summary>
    public DateTimeOffset? LastCheckAt => Time(ref lastCheckTicks);
    /// <summary>When the last valid check on the selected pair arrived: the browser's consent to receive (RFC 7675).</summary>
    public DateTimeOffset? LastConsentAt => Time(ref lastConsentTicks);
    /// <summary>
    /// True once a pair was selected and no valid check has come on it for <see cref="ConsentTimeout"/>: the caller ends
    /// the call and stops sending (RFC 7675 5.1). Before the first nomination it stays false: the call's own setup
    /// timeout applies then.
    /// </summary>
    public bool ConsentExpired => LastConsentAt is { } last && clock.GetUtcNow() - last > ConsentTimeout;

    /// <summary>
    /// Answers one datagram of the STUN range (see <see cref="Demux"/>) that came from <paramref name="from"/>, writing the
    /// response into <paramref name="response"/> (at least <see cref="ResponseBufferSize"/> bytes). Never throws on what
    /// the network sends. The checks in the order RFC 8489 10.1.2 and RFC 8445 7.3 give them.
    /// </summary>
    public IceCheckResult Handle(ReadOnlySpan<byte> packet, IPEndPoint from, Span<byte> response)
    {
        if (response.Length < ResponseBufferSize) throw new ArgumentException($"The response buffer needs {ResponseBufferSize} bytes.", nameof(response));
        // A lite agent sends no requests, so responses are not ours; indications (keepalives) need no answer; a
        // FINGERPRINT that does not match says the datagram is not STUN after all (RFC 8489 7.3).
        if (!StunMessage.TryParse(packet, out var request)
            || request.Method != StunMessage.BindingMethod || request.Class != StunClass.Request
            || (request.HasFingerprint && !request.CheckFingerprint()))
            return new IceCheckResult(IceCheckOutcome.Ignored, 0);

        // ICE checks always carry all three (RFC 8445 7.1.2, 7.2.2): without them nothing can be trusted.
        if (!request.TryGetUsername(out var username) || !request.HasMessageIntegrity || !request.HasFingerprint)
            return Refuse(request, response, IceCheckOutcome.BadRequest, 400, "Bad Request");
        // A stranger (or a stale session) gets 401 without MESSAGE-INTEGRITY: we cannot key an answer it could check (RFC 8489 9.1.3).
        if (!username.SequenceEqual(expectedUsername) || !request.CheckIntegrity(localKey))
            return Refuse(request, response, IceCheckOutcome.Unauthorized, 401, "Unauthorized");

        if (request.UnknownComprehensionRequiredCount > 0)
        {
            Span<ushort> unknown = stackalloc ushort[MaxUnknownListed];
            var writer = Answer(request, response, StunClass.ErrorResponse);
            writer.AddErrorCode(420, "Unknown Attribute");
            writer.AddUnknownAttributes(unknown[..request.GetUnknownAttributes(unknown)]);
            return Sign(ref writer, IceCheckOutcome.UnknownAttributes);
        }
        // Both controlled: a full agent would compare tie-breakers and maybe switch, but a lite agent is always
        // controlled (RFC 8445 6.1.1), so the peer must become controlling: 487 tells it to (RFC 8445 7.3.1.1).
        if (request.IceControlled is not null)
        {
            var writer = Answer(request, response, StunClass.ErrorResponse);
            writer.AddErrorCode(487, "Role Conflict");
            return Sign(ref writer, IceCheckOutcome.RoleConflict);
        }

        var changed = Accept(from, request.UseCandidate);
        var success = Answer(request, response, StunClass.SuccessResponse);
        success.AddXorMappedAddress(from);
        return Sign(ref success, IceCheckOutcome.Accepted) with { Nominated = request.UseCandidate, SelectionChanged = changed };
    }

    /// <summary>
    /// Records a valid check. A nomination from elsewhere moves the selected pair there (the browser switched, e.g. from
    /// Wi-Fi to mobile data); any valid check on the selected pair renews consent.
    /// </summary>
    private bool Accept(IPEndPoint from, bool nominated)
    {
        var now = clock.GetUtcNow().UtcTicks;
        Volatile.Write(ref lastCheckTicks, now);
        var current = selected;
        var changed = false;
        if (nominated && !from.Equals(current))
        {
            selected = current = new IPEndPoint(from.Address, from.Port); // our own copy: the caller may reuse its endpoint
            changed = true;
        }
        if (from.Equals(current)) Volatile.Write(ref lastConsentTicks, now);
        return changed;
    }

    private static StunWriter Answer(StunMessage request, Span<byte> response, StunClass messageClass) =>
        new(response, messageClass, StunMessage.BindingMethod, request.TransactionId);

    private IceCheckResult Sign(ref StunWriter writer, IceCheckOutcome outcome)
    {
        writer.AddMessageIntegrity(localKey);
        writer.AddFingerprint();
        return new IceCheckResult(outcome, writer.Length);
    }

    private static IceCheckResult Refuse(StunMessage request, Span<byte> response, IceCheckOutcome outcome, int code, string reason)
    {
        var writer = Answer(request, response, StunClass.ErrorResponse);
        writer.AddErrorCode(code, reason);
        writer.AddFingerprint();
        return new IceCheckResult(outcome, writer.Length);
    }

    private static DateTimeOffset? Time(ref long ticks) => Volatile.Read(ref ticks) is var t and not 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;
}
