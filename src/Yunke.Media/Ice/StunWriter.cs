using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Yunke.Media.Ice;

/// <summary>
/// Writes one STUN message (RFC 8489 5, 14) straight into a buffer: the header first, then attributes in the order
/// added, the header's length kept current after each so MESSAGE-INTEGRITY and FINGERPRINT are computed in place.
/// A buffer too small is the caller's mistake and throws.
/// </summary>
public ref struct StunWriter
{
    private readonly Span<byte> buffer;

    public StunWriter(Span<byte> buffer, StunClass messageClass, ushort method, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != 12) throw new ArgumentException("A STUN transaction id has 12 bytes.", nameof(transactionId));
        this.buffer = buffer;
        var c = (int)messageClass;
        var type = (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunMessage.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        Length = StunMessage.HeaderSize;
        SetHeaderLength();
    }

    /// <summary>Bytes written so far: the message is <c>buffer[..Length]</c>.</summary>
    public int Length { get; private set; }

    /// <summary>
    /// What fills an attribute to a multiple of 4 bytes. RFC 8489 says zeros; RFC 5769's test vectors use spaces,
    /// so the tests set this to reproduce them byte for byte (integrity and fingerprint cover the padding).
    /// </summary>
    internal byte Padding { get; init; }

    public void AddAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var padded = (value.Length + 3) & ~3;
        var attribute = buffer.Slice(Length, 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(attribute, type);
        BinaryPrimitives.WriteUInt16BigEndian(attribute[2..], (ushort)value.Length);
        value.CopyTo(attribute[4..]);
        attribute[(4 + value.Length)..].Fill(Padding);
        Length += attribute.Length;
        SetHeaderLength();
    }

    public void AddString(ushort type, string value)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        AddAttribute(type, utf8[..Encoding.UTF8.GetBytes(value, utf8)]);
    }

    public void AddUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        AddAttribute(type, bytes);
    }

    public void AddUInt64(ushort type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        AddAttribute(type, bytes);
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 14.2). An IPv4 address seen through a dual-stack socket (::ffff:a.b.c.d) goes out as IPv4: that is what the peer sent from.</summary>
    public void AddXorMappedAddress(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        Span<byte> value = stackalloc byte[20];
        Span<byte> plain = stackalloc byte[16];
        address.TryWriteBytes(plain, out var addressLength);
        value[0] = 0;
        value[1] = addressLength == 4 ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(endPoint.Port ^ (ushort)(StunMessage.MagicCookie >> 16)));
        StunMessage.XorAddress(plain[..addressLength], buffer.Slice(4, 16), value[4..]);
        AddAttribute(StunAttributeType.XorMappedAddress, value[..(4 + addressLength)]);
    }

    /// <summary>ERROR-CODE (RFC 8489 14.8): the hundreds in the class bits, the rest in the number, then the reason.</summary>
    public void AddErrorCode(int code, string reason)
    {
        Span<byte> value = stackalloc byte[4 + Encoding.UTF8.GetMaxByteCount(reason.Length)];
        value[..2].Clear();
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        AddAttribute(StunAttributeType.ErrorCode, value[..(4 + Encoding.UTF8.GetBytes(reason, value[4..]))]);
    }

    public void AddUnknownAttributes(scoped ReadOnlySpan<ushort> types)
    {
        Span<byte> value = stackalloc byte[2 * types.Length];
        for (var i = 0; i < types.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(value[(2 * i)..], types[i]);
        AddAttribute(StunAttributeType.UnknownAttributes, value);
    }

    /// <summary>MESSAGE-INTEGRITY (RFC 8489 14.5): HMAC-SHA1 over everything so far, the header's length already counting this attribute.</summary>
    public void AddMessageIntegrity(scoped ReadOnlySpan<byte> key)
    {
        var signed = Length;
        AddAttribute(StunAttributeType.MessageIntegrity, stackalloc byte[20]);
        HMACSHA1.HashData(key, buffer[..signed], buffer.Slice(signed + 4, 20));
    }

    /// <summary>FINGERPRINT (RFC 8489 14.7), the last attribute: CRC-32 of everything before it, XOR 0x5354554E.</summary>
    public void AddFingerprint()
    {
        var covered = Length;
        AddAttribute(StunAttributeType.Fingerprint, stackalloc byte[4]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(covered + 4)..], Crc32.HashToUInt32(buffer[..covered]) ^ StunMessage.FingerprintXor);
    }

    private readonly void SetHeaderLength() => BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)(Length - StunMessage.HeaderSize));
}
