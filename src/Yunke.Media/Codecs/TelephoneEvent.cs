using System.Buffers.Binary;

namespace Yunke.Media.Codecs;

/// <summary>
/// One RFC 4733 telephone-event payload (2.3): the event, end bit, volume in -dBm0 (0–63) and the
/// duration so far in timestamp units. The packets of one event share its RTP timestamp (its start).
/// </summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int Size = 4;
    /// <summary>The encoding name in a=rtpmap.</summary>
    public const string EncodingName = "telephone-event";

    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent value)
    {
        // Several events may be stacked in one payload (RFC 4733 2.5.1.5 redundancy is by RFC 2198); we read the first.
        if (payload.Length < Size)
        {
            value = default;
            return false;
        }
        value = new TelephoneEvent(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        if (Volume > 63) throw new InvalidOperationException("The volume has 6 bits (0 to -63 dBm0).");
        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | Volume);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }

    /// <summary>The DTMF key of the event (RFC 4733 3.2: 0–9, *, #, A–D, and 16 for flash as '!'), or null for other events.</summary>
    public char? Digit => ToDigit(Event);

    public static char? ToDigit(byte @event) => @event switch
    {
        <= 9 => (char)('0' + @event),
        10 => '*',
        11 => '#',
        <= 15 => (char)('A' + @event - 12),
        16 => '!',
        _ => null,
    };

    public static byte FromDigit(char digit) => char.ToUpperInvariant(digit) switch
    {
        >= '0' and <= '9' => (byte)(digit - '0'),
        '*' => 10,
        '#' => 11,
        >= 'A' and <= 'D' and var d => (byte)(d - 'A' + 12),
        '!' => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(digit), digit, "Not a DTMF key."),
    };
}
