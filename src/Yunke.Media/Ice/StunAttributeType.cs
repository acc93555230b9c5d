namespace Yunke.Media.Ice;

/// <summary>
/// The STUN attribute types Yunke reads or writes (RFC 8489 18.3, RFC 8445 16.1). Types below 0x8000 are
/// comprehension-required: a request carrying one we do not know is refused with 420 (RFC 8489 7.3.1).
/// </summary>
public static class StunAttributeType
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort Software = 0x8022;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;

    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;

    /// <summary>The comprehension-required types this implementation processes; any other one below 0x8000 earns a 420.</summary>
    internal static bool IsUnderstood(ushort type) =>
        !IsComprehensionRequired(type)
        || type is MappedAddress or Username or MessageIntegrity or ErrorCode or UnknownAttributes or XorMappedAddress or Priority or UseCandidate;
}

/// <summary>The class of a STUN message, the two C bits of its type (RFC 8489 5).</summary>
public enum StunClass
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}
