using System.Buffers.Binary;

namespace Yunke.Media.Rtp;

/// <summary>
/// A view of one received RTP packet (RFC 3550 5.1) over the datagram's bytes: parsing copies and
/// allocates nothing, so the view lives only as long as the buffer it was read from.
/// </summary>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderSize = 12;

    private RtpPacket(ReadOnlySpan<byte> bytes, int headerLength, int payloadLength)
    {
        Bytes = bytes;
        HeaderLength = headerLength;
        PayloadLength = payloadLength;
    }

    /// <summary>The whole datagram, header, payload and padding.</summary>
    public ReadOnlySpan<byte> Bytes { get; }
    /// <summary>Fixed header, CSRC list and header extension.</summary>
    public int HeaderLength { get; }
    public int PayloadLength { get; }

    public bool HasPadding => (Bytes[0] & 0x20) != 0;
    public bool HasExtension => (Bytes[0] & 0x10) != 0;
    public int CsrcCount => Bytes[0] & 0x0F;
    public bool Marker => (Bytes[1] & 0x80) != 0;
    public byte PayloadType => (byte)(Bytes[1] & 0x7F);
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(Bytes[2..]);
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(Bytes[4..]);
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(Bytes[8..]);
    public uint GetCsrc(int index) =>
        (uint)index < (uint)CsrcCount ? BinaryPrimitives.ReadUInt32BigEndian(Bytes[(FixedHeaderSize + 4 * index)..]) : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The profile-defined 16 bits of the header extension (0xBEDE for RFC 8285 one-byte headers); 0 without one.</summary>
    public ushort ExtensionProfile => HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(Bytes[(FixedHeaderSize + 4 * CsrcCount)..]) : (ushort)0;
    /// <summary>The header extension's data, after its 4-byte profile and length word.</summary>
    public ReadOnlySpan<byte> ExtensionData => HasExtension ? Bytes[(FixedHeaderSize + 4 * CsrcCount + 4)..HeaderLength] : default;
    public ReadOnlySpan<byte> Payload => Bytes.Slice(HeaderLength, PayloadLength);
    public int PaddingLength => Bytes.Length - HeaderLength - PayloadLength;

    /// <summary>Reads a datagram as RTP version 2; false for anything that cannot be one (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out RtpPacket packet)
    {
        packet = default;
        if (!TryReadHeaderLength(bytes, out var header)) return false;
        var payload = bytes.Length - header;
        if ((bytes[0] & 0x20) != 0)
        {
            // The last octet counts the padding, itself included (RFC 3550 5.1): zero is not valid.
            var padding = bytes[^1];
            if (padding == 0 || padding > payload) return false;
            payload -= padding;
        }
        packet = new RtpPacket(bytes, header, payload);
        return true;
    }

    /// <summary>
    /// The length of fixed header, CSRC list and header extension of an RTP version 2 packet; false when
    /// the bytes cannot hold them. Reads neither payload nor padding, so it serves SRTP too, whose padding
    /// count is encrypted.
    /// </summary>
    public static bool TryReadHeaderLength(ReadOnlySpan<byte> bytes, out int headerLength)
    {
        headerLength = 0;
        if (bytes.Length < FixedHeaderSize || bytes[0] >> 6 != 2) return false;
        var header = FixedHeaderSize + 4 * (bytes[0] & 0x0F);
        if (bytes.Length < header) return false;
        if ((bytes[0] & 0x10) != 0)
        {
            if (bytes.Length < header + 4) return false;
            header += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(bytes[(header + 2)..]);
            if (bytes.Length < header) return false;
        }
        headerLength = header;
        return true;
    }

    /// <summary>
    /// True when the second byte says RTCP (payload types 72–76 with the marker bit, i.e. packet types
    /// 200–204): how RFC 5761 tells the two apart when they share a port.
    /// </summary>
    public static bool LooksLikeRtcp(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[1] is >= 192 and <= 223;
}
