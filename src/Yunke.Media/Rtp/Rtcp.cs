using System.Buffers.Binary;
using System.Text;

namespace Yunke.Media.Rtp;

/// <summary>RTCP packet types (RFC 3550 12.1).</summary>
public enum RtcpPacketType : byte
{
    SenderReport = 200,
    ReceiverReport = 201,
    SourceDescription = 202,
    Bye = 203,
    App = 204,
}

/// <summary>Reception statistics about one source (RFC 3550 6.4.1).</summary>
/// <param name="CumulativeLost">24-bit signed on the wire.</param>
/// <param name="LastSenderReport">Middle 32 bits of the NTP timestamp of the last SR from that source; 0 if none.</param>
/// <param name="DelaySinceLastSenderReport">In 1/65536 s.</param>
public readonly record struct RtcpReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence,
    uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport)
{
    public const int Size = 24;
}

/// <summary>The sender information of an SR (RFC 3550 6.4.1).</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    /// <summary>The 64-bit NTP timestamp (seconds since 1900 in the high half) of a time.</summary>
    public static ulong ToNtp(DateTimeOffset time)
    {
        var since1900 = time.UtcDateTime - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = (ulong)since1900.Ticks / TimeSpan.TicksPerSecond;
        var fraction = ((ulong)since1900.Ticks % TimeSpan.TicksPerSecond << 32) / TimeSpan.TicksPerSecond;
        return seconds << 32 | fraction;
    }

    /// <summary>The middle 32 bits, which report blocks echo as LSR.</summary>
    public uint CompactNtp => (uint)(NtpTimestamp >> 16);
}

public sealed record RtcpSenderReport(uint Ssrc, RtcpSenderInfo Info, IReadOnlyList<RtcpReportBlock> Blocks);
public sealed record RtcpReceiverReport(uint Ssrc, IReadOnlyList<RtcpReportBlock> Blocks);
public sealed record RtcpBye(IReadOnlyList<uint> Sources, string? Reason);

/// <summary>
/// A received compound RTCP packet (RFC 3550 6.1), reduced to what a media relay acts on: reports and
/// BYE. SDES and APP are skipped. RTCP comes a few times a minute, so this allocates freely.
/// </summary>
public sealed class RtcpCompoundPacket
{
    public List<RtcpSenderReport> SenderReports { get; } = [];
    public List<RtcpReceiverReport> ReceiverReports { get; } = [];
    public List<RtcpBye> Byes { get; } = [];

    /// <summary>False when the datagram is not a well-formed RTCP compound (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out RtcpCompoundPacket compound)
    {
        compound = new RtcpCompoundPacket();
        if (bytes.Length < 4) return false;
        while (!bytes.IsEmpty)
        {
            if (bytes.Length < 4 || bytes[0] >> 6 != 2) return false;
            var length = 4 * (BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) + 1);
            if (length > bytes.Length) return false;
            var count = bytes[0] & 0x1F;
            var body = bytes[4..length];
            if ((bytes[0] & 0x20) != 0)
            {
                var padding = bytes[length - 1];
                if (padding == 0 || padding > body.Length) return false;
                body = body[..^padding];
            }
            switch ((RtcpPacketType)bytes[1])
            {
                case RtcpPacketType.SenderReport:
                    if (body.Length < 24 + count * RtcpReportBlock.Size) return false;
                    compound.SenderReports.Add(new RtcpSenderReport(
                        BinaryPrimitives.ReadUInt32BigEndian(body),
                        new RtcpSenderInfo(BinaryPrimitives.ReadUInt64BigEndian(body[4..]), BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
                            BinaryPrimitives.ReadUInt32BigEndian(body[16..]), BinaryPrimitives.ReadUInt32BigEndian(body[20..])),
                        ReadBlocks(body[24..], count)));
                    break;
                case RtcpPacketType.ReceiverReport:
                    if (body.Length < 4 + count * RtcpReportBlock.Size) return false;
                    compound.ReceiverReports.Add(new RtcpReceiverReport(BinaryPrimitives.ReadUInt32BigEndian(body), ReadBlocks(body[4..], count)));
                    break;
                case RtcpPacketType.Bye:
                    if (body.Length < 4 * count) return false;
                    var sources = new uint[count];
                    for (var i = 0; i < count; i++) sources[i] = BinaryPrimitives.ReadUInt32BigEndian(body[(4 * i)..]);
                    string? reason = null;
                    var rest = body[(4 * count)..];
                    if (rest.Length > 0 && rest[0] > 0 && rest.Length > rest[0]) reason = Encoding.UTF8.GetString(rest.Slice(1, rest[0]));
                    compound.Byes.Add(new RtcpBye(sources, reason));
                    break;
            }
            bytes = bytes[length..];
        }
        return true;
    }

    private static RtcpReportBlock[] ReadBlocks(ReadOnlySpan<byte> bytes, int count)
    {
        var blocks = new RtcpReportBlock[count];
        for (var i = 0; i < count; i++)
        {
            var b = bytes[(i * RtcpReportBlock.Size)..];
            var lost = (b[5] << 16) | (b[6] << 8) | b[7];
            if ((lost & 0x800000) != 0) lost |= unchecked((int)0xFF000000); // sign-extend the 24 bits
            blocks[i] = new RtcpReportBlock(BinaryPrimitives.ReadUInt32BigEndian(b), b[4], lost,
                BinaryPrimitives.ReadUInt32BigEndian(b[8..]), BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[16..]), BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        }
        return blocks;
    }
}

/// <summary>
/// Writes RTCP packets; append them one after another into one buffer to make a compound packet
/// (RFC 3550 6.1: SR or RR first, then SDES with a CNAME, then BYE if leaving). Each returns the bytes written.
/// </summary>
public static class RtcpWriter
{
    public static int WriteSenderReport(Span<byte> destination, uint ssrc, RtcpSenderInfo info, ReadOnlySpan<RtcpReportBlock> blocks = default)
    {
        var length = 28 + blocks.Length * RtcpReportBlock.Size;
        WriteHeader(destination, blocks.Length, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], info.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], info.OctetCount);
        WriteBlocks(destination[28..], blocks);
        return length;
    }

    public static int WriteReceiverReport(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks = default)
    {
        var length = 8 + blocks.Length * RtcpReportBlock.Size;
        WriteHeader(destination, blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        WriteBlocks(destination[8..], blocks);
        return length;
    }

    /// <summary>An SDES packet with one chunk holding only the CNAME item (RFC 3550 6.5).</summary>
    public static int WriteSourceDescription(Span<byte> destination, uint ssrc, string cname)
    {
        var text = Encoding.UTF8.GetByteCount(cname) <= 255 ? cname : throw new ArgumentException("A CNAME has at most 255 bytes.", nameof(cname));
        var textLength = Encoding.UTF8.GetByteCount(text);
        // Chunk: SSRC, CNAME item (type, length, text), then at least one null octet ending the list, to a 32-bit boundary.
        var chunk = 4 + 2 + textLength;
        chunk += 4 - chunk % 4;
        var length = 4 + chunk;
        WriteHeader(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = 1;
        destination[9] = (byte)textLength;
        Encoding.UTF8.GetBytes(text, destination[10..]);
        destination[(10 + textLength)..length].Clear();
        return length;
    }

    public static int WriteBye(Span<byte> destination, ReadOnlySpan<uint> sources, string? reason = null)
    {
        if (sources.Length > 31) throw new ArgumentOutOfRangeException(nameof(sources), "At most 31 sources.");
        var reasonLength = reason is null ? 0 : Encoding.UTF8.GetByteCount(reason);
        if (reasonLength > 255) throw new ArgumentException("A BYE reason has at most 255 bytes.", nameof(reason));
        var length = 4 + 4 * sources.Length;
        if (reason is not null) length += (1 + reasonLength + 3) / 4 * 4;
        WriteHeader(destination, sources.Length, RtcpPacketType.Bye, length);
        for (var i = 0; i < sources.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(4 + 4 * i)..], sources[i]);
        if (reason is not null)
        {
            var at = 4 + 4 * sources.Length;
            destination[at] = (byte)reasonLength;
            Encoding.UTF8.GetBytes(reason, destination[(at + 1)..]);
            destination[(at + 1 + reasonLength)..length].Clear();
        }
        return length;
    }

    private static void WriteHeader(Span<byte> destination, int count, RtcpPacketType type, int length)
    {
        if (destination.Length < length) throw new ArgumentException($"The packet needs {length} bytes.", nameof(destination));
        destination[0] = (byte)(0x80 | count);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(length / 4 - 1));
    }

    private static void WriteBlocks(Span<byte> destination, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        if (blocks.Length > 31) throw new ArgumentOutOfRangeException(nameof(blocks), "At most 31 report blocks.");
        foreach (var block in blocks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, block.Ssrc);
            var lost = Math.Clamp(block.CumulativeLost, -0x800000, 0x7FFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)block.FractionLost << 24 | (uint)lost & 0xFFFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(destination[8..], block.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(destination[12..], block.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(destination[16..], block.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(destination[20..], block.DelaySinceLastSenderReport);
            destination = destination[RtcpReportBlock.Size..];
        }
    }
}
