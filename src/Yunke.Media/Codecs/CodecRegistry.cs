namespace Yunke.Media.Codecs;

/// <summary>What a payload type means on one RTP session: an audio codec, or RFC 4733 telephone events.</summary>
public sealed record RtpFormat(int PayloadType, string Name, int ClockRate, AudioCodec? Codec)
{
    public bool IsTelephoneEvent => Name.Equals(TelephoneEvent.EncodingName, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The payload types negotiated for one session (from its SDP's m= line and a=rtpmap lines), or the
/// codecs this library knows by name. Immutable: build a new one on each offer/answer.
/// </summary>
public sealed class CodecRegistry
{
    /// <summary>The codecs that can be decoded and encoded here.</summary>
    public static IReadOnlyList<AudioCodec> KnownCodecs { get; } = [AudioCodec.Pcmu, AudioCodec.Pcma];

    /// <summary>PCMU 0, PCMA 8 and telephone-event 101 (the number most softphones offer).</summary>
    public static CodecRegistry Default { get; } = new CodecRegistry().With(0, "PCMU").With(8, "PCMA").With(101, TelephoneEvent.EncodingName);

    private readonly RtpFormat?[] byPayloadType = new RtpFormat?[128];

    public IEnumerable<RtpFormat> Formats => byPayloadType.OfType<RtpFormat>();
    /// <summary>The payload type of telephone events at 8000 Hz, if negotiated.</summary>
    public int? TelephoneEventPayloadType => Find(TelephoneEvent.EncodingName)?.PayloadType;

    public static AudioCodec? FindCodec(string name, int clockRate = 8000) =>
        KnownCodecs.FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && c.ClockRate == clockRate);

    /// <summary>A copy with one more payload type; names this library cannot decode are kept (they are relayed only to a leg that has them).</summary>
    public CodecRegistry With(int payloadType, string name, int clockRate = 8000)
    {
        if (payloadType is < 0 or > 127) throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "An RTP payload type is 0–127.");
        var copy = new CodecRegistry();
        byPayloadType.CopyTo(copy.byPayloadType, 0);
        copy.byPayloadType[payloadType] = new RtpFormat(payloadType, name, clockRate, FindCodec(name, clockRate));
        return copy;
    }

    public RtpFormat? this[int payloadType] => (uint)payloadType < 128 ? byPayloadType[payloadType] : null;

    /// <summary>The first payload type of that encoding. A plain loop: the relay asks for each packet.</summary>
    public RtpFormat? Find(string name, int clockRate = 8000)
    {
        foreach (var format in byPayloadType)
            if (format is not null && format.ClockRate == clockRate && format.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return format;
        return null;
    }
}
