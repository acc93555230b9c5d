using System.Buffers.Binary;

namespace Yunke.Media.Rtp;

/// <summary>The fields of an RTP header to write (RFC 3550 5.1); version is always 2.</summary>
public record struct RtpHeader(byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, bool Marker = false)
{
    /// <summary>
    /// Writes header, optional CSRCs and header extension, payload and padding into
    /// <paramref name="destination"/>; returns the bytes written.
    /// </summary>
    /// <param name="extensionData">Length must be a multiple of 4; written only when <paramref name="extensionProfile"/> is set.</param>
    /// <param name="padding">Padding octets to append (0 or 1–255, RFC 3550 5.1).</param>
    public readonly int Write(Span<byte> destination, ReadOnlySpan<byte> payload, ReadOnlySpan<uint> csrcs = default,
        ushort? extensionProfile = null, ReadOnlySpan<byte> extensionData = default, int padding = 0)
    {
        if (PayloadType > 127) throw new ArgumentOutOfRangeException(nameof(PayloadType), "An RTP payload type has 7 bits.");
        if (csrcs.Length > 15) throw new ArgumentOutOfRangeException(nameof(csrcs), "At most 15 CSRCs.");
        if (extensionData.Length % 4 != 0 || extensionData.Length > 4 * ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(extensionData), "Extension data is counted in 32-bit words.");
        if (padding is < 0 or > 255) throw new ArgumentOutOfRangeException(nameof(padding));

        var length = RtpPacket.FixedHeaderSize + 4 * csrcs.Length + (extensionProfile is null ? 0 : 4 + extensionData.Length) + payload.Length + padding;
        if (destination.Length < length) throw new ArgumentException($"The packet needs {length} bytes.", nameof(destination));

        destination[0] = (byte)(0x80 | (padding > 0 ? 0x20 : 0) | (extensionProfile is null ? 0 : 0x10) | csrcs.Length);
        destination[1] = (byte)((Marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
        var at = RtpPacket.FixedHeaderSize;
        foreach (var csrc in csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], csrc);
            at += 4;
        }
        if (extensionProfile is { } profile)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], profile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], (ushort)(extensionData.Length / 4));
            extensionData.CopyTo(destination[(at + 4)..]);
            at += 4 + extensionData.Length;
        }
        payload.CopyTo(destination[at..]);
        at += payload.Length;
        if (padding > 0)
        {
            destination.Slice(at, padding - 1).Clear();
            destination[at + padding - 1] = (byte)padding;
            at += padding;
        }
        return at;
    }

    /// <summary>Writes just the 12-byte fixed header (for a payload written in place after it).</summary>
    public readonly void WriteFixedHeader(Span<byte> destination)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((Marker ? 0x80 : 0) | (PayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
    }
}
