using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Yunke.Media.Ice;

/// <summary>
/// A view of one received STUN message (RFC 8489 5, 14) over the datagram's bytes. Parsing validates the
/// framing once and copies nothing; the accessors walk the attributes again when asked (a check has a
/// handful), so the view lives only as long as the buffer it was read from.
/// </summary>
public readonly ref struct StunMessage
{
    public const int HeaderSize = 20;
    public const uint MagicCookie = 0x2112A442;
    public const ushort BindingMethod = 0x001;
    /// <summary>XORed into the CRC-32 so FINGERPRINT differs from the CRC of other protocols sharing the port (RFC 8489 14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    private readonly int attributesEnd;    // where the attributes that count end: after MESSAGE-INTEGRITY, else at FINGERPRINT
    private readonly int integrityOffset;  // of the MESSAGE-INTEGRITY attribute's header, -1 without
    private readonly int fingerprintOffset;

    private StunMessage(ReadOnlySpan<byte> bytes, int attributesEnd, int integrityOffset, int fingerprintOffset, int unknownCount)
    {
        Bytes = bytes;
        this.attributesEnd = attributesEnd;
        this.integrityOffset = integrityOffset;
        this.fingerprintOffset = fingerprintOffset;
        UnknownComprehensionRequiredCount = unknownCount;
    }

    /// <summary>The whole message, header included.</summary>
    public ReadOnlySpan<byte> Bytes { get; }
    public ushort MessageType => BinaryPrimitives.ReadUInt16BigEndian(Bytes);
    public StunClass Class => (StunClass)(((MessageType >> 4) & 1) | ((MessageType >> 7) & 2));
    /// <summary>The 12 method bits, spread around the class bits in the type (RFC 8489 5, figure 3).</summary>
    public ushort Method => (ushort)((MessageType & 0x000F) | ((MessageType >> 1) & 0x0070) | ((MessageType >> 2) & 0x0F80));
    public ReadOnlySpan<byte> TransactionId => Bytes.Slice(8, 12);

    public bool HasMessageIntegrity => integrityOffset >= 0;
    public bool HasFingerprint => fingerprintOffset >= 0;
    /// <summary>Comprehension-required attributes before MESSAGE-INTEGRITY that this implementation does not process.</summary>
    public int UnknownComprehensionRequiredCount { get; }

    /// <summary>
    /// Reads a datagram as one STUN message; false for anything that is not one or is malformed (never throws):
    /// the top two bits zero, the magic cookie, a length that is a multiple of 4 and matches the datagram,
    /// every attribute inside it, FINGERPRINT last, and known attributes of their proper sizes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out StunMessage message)
    {
        message = default;
        if (bytes.Length < HeaderSize || (bytes[0] & 0xC0) != 0) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]) != MagicCookie) return false;
        var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (length % 4 != 0 || HeaderSize + length != bytes.Length) return false;

        int integrity = -1, fingerprint = -1, unknown = 0;
        for (var position = HeaderSize; position < bytes.Length;)
        {
            if (fingerprint >= 0) return false; // FINGERPRINT must be the last attribute (RFC 8489 14.7)
            if (!TryReadAttribute(bytes, position, out var type, out var value, out var next)) return false;
            if (type == StunAttributeType.Fingerprint)
            {
                if (value.Length != 4) return false;
                fingerprint = position;
            }
            else if (integrity < 0) // attributes between MESSAGE-INTEGRITY and FINGERPRINT are ignored (RFC 8489 14.5)
            {
                if (!HasValidSize(type, value)) return false;
                if (type == StunAttributeType.MessageIntegrity) integrity = position;
                else if (!StunAttributeType.IsUnderstood(type)) unknown++;
            }
            position = next;
        }
        var end = integrity >= 0 ? integrity + 4 + 20 : fingerprint >= 0 ? fingerprint : bytes.Length;
        message = new StunMessage(bytes, end, integrity, fingerprint, unknown);
        return true;
    }

    /// <summary>The value of the first attribute of this type before MESSAGE-INTEGRITY (or the integrity itself); later duplicates are ignored (RFC 8489 14).</summary>
    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        for (var position = HeaderSize; position < attributesEnd;)
        {
            TryReadAttribute(Bytes, position, out var found, out value, out position); // framing was checked by TryParse
            if (found == type) return true;
        }
        value = default;
        return false;
    }

    public bool Has(ushort type) => TryGetAttribute(type, out _);

    /// <summary>USERNAME as sent (UTF-8), for comparing without allocating.</summary>
    public bool TryGetUsername(out ReadOnlySpan<byte> utf8) => TryGetAttribute(StunAttributeType.Username, out utf8);
    public string? Username => TryGetUsername(out var utf8) ? Encoding.UTF8.GetString(utf8) : null;
    public string? Software => TryGetAttribute(StunAttributeType.Software, out var utf8) ? Encoding.UTF8.GetString(utf8) : null;
    public uint? Priority => TryGetAttribute(StunAttributeType.Priority, out var value) ? BinaryPrimitives.ReadUInt32BigEndian(value) : null;
    public bool UseCandidate => Has(StunAttributeType.UseCandidate);
    /// <summary>The peer's tie-breaker when it claims the controlling role (RFC 8445 7.1.3).</summary>
    public ulong? IceControlling => TryGetAttribute(StunAttributeType.IceControlling, out var value) ? BinaryPrimitives.ReadUInt64BigEndian(value) : null;
    public ulong? IceControlled => TryGetAttribute(StunAttributeType.IceControlled, out var value) ? BinaryPrimitives.ReadUInt64BigEndian(value) : null;

    /// <summary>ERROR-CODE as class × 100 + number (RFC 8489 14.8), null without one.</summary>
    public int? ErrorCode => TryGetAttribute(StunAttributeType.ErrorCode, out var value) ? (value[2] & 0x07) * 100 + value[3] : null;
    public string? ErrorReason => TryGetAttribute(StunAttributeType.ErrorCode, out var value) ? Encoding.UTF8.GetString(value[4..]) : null;

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 14.2): the port XORed with the cookie's top half, the address with the cookie (and, for IPv6, the transaction id).</summary>
    public IPEndPoint? XorMappedAddress
    {
        get
        {
            if (!TryGetAttribute(StunAttributeType.XorMappedAddress, out var value)) return null;
            var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (ushort)(MagicCookie >> 16);
            Span<byte> address = stackalloc byte[value.Length - 4];
            XorAddress(value[4..], Bytes.Slice(4, 16), address);
            return new IPEndPoint(new IPAddress(address), port);
        }
    }

    /// <summary>The types of the comprehension-required attributes not understood, for a 420's UNKNOWN-ATTRIBUTES; returns how many were written.</summary>
    public int GetUnknownAttributes(Span<ushort> types)
    {
        var count = 0;
        for (var position = HeaderSize; position < attributesEnd && count < types.Length;)
        {
            TryReadAttribute(Bytes, position, out var type, out _, out position);
            if (!StunAttributeType.IsUnderstood(type) && types[..count].IndexOf(type) < 0) types[count++] = type;
        }
        return count;
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (RFC 8489 14.5): HMAC-SHA1 with the key over the message up to the attribute, with the
    /// header's length counting up to the end of MESSAGE-INTEGRITY (as it was when the sender computed it, before
    /// FINGERPRINT was added). For ICE's short-term credentials the key is the password's UTF-8 bytes (RFC 8489 9.1.1).
    /// </summary>
    public bool CheckIntegrity(ReadOnlySpan<byte> key)
    {
        if (integrityOffset < 0) return false;
        // HMAC needs the patched header and the attributes in one piece: a copy of the (small) message.
        byte[]? rented = integrityOffset > 1024 ? ArrayPool<byte>.Shared.Rent(integrityOffset) : null;
        Span<byte> signed = rented is null ? stackalloc byte[integrityOffset] : rented.AsSpan(0, integrityOffset);
        Bytes[..integrityOffset].CopyTo(signed);
        BinaryPrimitives.WriteUInt16BigEndian(signed[2..], (ushort)(integrityOffset + 4 + 20 - HeaderSize));
        Span<byte> mac = stackalloc byte[20];
        HMACSHA1.HashData(key, signed, mac);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return CryptographicOperations.FixedTimeEquals(mac, Bytes.Slice(integrityOffset + 4, 20));
    }

    public bool CheckIntegrity(string password) => CheckIntegrity(Encoding.UTF8.GetBytes(password));

    /// <summary>Checks FINGERPRINT (RFC 8489 14.7); false without one. Being last, its CRC covers the message with the length as sent.</summary>
    public bool CheckFingerprint() =>
        fingerprintOffset >= 0
        && (Crc32.HashToUInt32(Bytes[..fingerprintOffset]) ^ FingerprintXor) == BinaryPrimitives.ReadUInt32BigEndian(Bytes[(fingerprintOffset + 4)..]);

    /// <summary>One attribute's header at a position: false when its value or padding would run past the message.</summary>
    private static bool TryReadAttribute(ReadOnlySpan<byte> bytes, int position, out ushort type, out ReadOnlySpan<byte> value, out int next)
    {
        type = 0;
        value = default;
        next = bytes.Length;
        if (bytes.Length - position < 4) return false;
        type = BinaryPrimitives.ReadUInt16BigEndian(bytes[position..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 2)..]);
        var padded = (length + 3) & ~3;
        if (bytes.Length - position - 4 < padded) return false;
        value = bytes.Slice(position + 4, length);
        next = position + 4 + padded;
        return true;
    }

    /// <summary>The sizes the attributes we read must have, so the accessors can read them without further checks.</summary>
    private static bool HasValidSize(ushort type, ReadOnlySpan<byte> value) => type switch
    {
        StunAttributeType.XorMappedAddress => value.Length >= 4 && value[0] == 0
            && ((value[1] == 1 && value.Length == 8) || (value[1] == 2 && value.Length == 20)),
        StunAttributeType.Username => value.Length <= 513, // RFC 8489 14.3
        StunAttributeType.MessageIntegrity => value.Length == 20,
        StunAttributeType.ErrorCode => value.Length >= 4,
        StunAttributeType.UnknownAttributes => value.Length % 2 == 0,
        StunAttributeType.Priority => value.Length == 4,
        StunAttributeType.UseCandidate => value.Length == 0,
        StunAttributeType.IceControlled or StunAttributeType.IceControlling => value.Length == 8,
        _ => true,
    };

    /// <summary>XORs an address with the cookie followed by the transaction id (RFC 8489 14.2); the same both ways.</summary>
    internal static void XorAddress(ReadOnlySpan<byte> address, ReadOnlySpan<byte> cookieAndTransactionId, Span<byte> destination)
    {
        for (var i = 0; i < address.Length; i++) destination[i] = (byte)(address[i] ^ cookieAndTransactionId[i]);
    }
}
