namespace Yunke.Core.Registrations;

/// <summary>A contact a REGISTER names, with its own expires parameter if it has one.</summary>
public sealed record ContactRequest(string Uri, uint? Expires);

/// <summary>
/// A REGISTER of one softphone number, already authenticated and stripped of SIP syntax.
/// <paramref name="Wildcard"/> is <c>Contact: *</c>; no contacts and no wildcard is a query of the bindings.
/// </summary>
public sealed record RegisterRequest(Guid TenantId, string AgentId, string Registrar, string Transport, string Source,
    string CallId, long CSeq, IReadOnlyList<ContactRequest> Contacts, bool Wildcard, uint? Expires);

public enum RegisterOutcome
{
    Registered,
    /// <summary>A non-zero expiry below the minimum: 423 with Min-Expires.</summary>
    IntervalTooBrief,
    /// <summary>Same Call-ID with a CSeq not above the stored one: an old request arriving late (RFC 3261 10.3 step 7).</summary>
    OutOfOrder,
    /// <summary>More live contacts than the policy allows for one number.</summary>
    TooManyContacts,
    /// <summary><c>Contact: *</c> with other contacts or with an expiry other than 0 (RFC 3261 10.3 step 6).</summary>
    InvalidWildcard,
}

/// <summary>What became of a REGISTER: on success the number's live bindings afterwards, all registrars together.</summary>
public sealed record RegisterResult(RegisterOutcome Outcome, IReadOnlyList<SoftphoneBinding> Bindings)
{
    public bool Succeeded => Outcome == RegisterOutcome.Registered;
}
