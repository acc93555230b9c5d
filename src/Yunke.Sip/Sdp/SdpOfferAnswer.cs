using System.Globalization;

namespace Yunke.Sip.Sdp;

/// <summary>A codec we can handle, named as in a=rtpmap (matching ignores case).</summary>
public sealed record SdpCodec(string Name, int ClockRate, int? Channels = null, string? Fmtp = null);

/// <summary>What we can do for one media type: where we receive it, which codecs in order of preference, which way.</summary>
/// <param name="Protocols">The m= line transports we take (RFC 4566 5.14), as offered; null for plain RTP only. A secure
/// profile (RTP/SAVP with SDES, UDP/TLS/RTP/SAVPF with DTLS) belongs here only when the caller adds what it needs to the answer.</param>
public sealed record SdpLocalMedia(int Port, IReadOnlyList<SdpCodec> Codecs, SdpDirection Direction = SdpDirection.SendRecv,
    IReadOnlyList<string>? Protocols = null)
{
    public static readonly IReadOnlyList<string> PlainRtp = ["RTP/AVP", "RTP/AVPF"];

    public bool Takes(string protocol) => (Protocols ?? PlainRtp).Contains(protocol, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Builds answers to offers per RFC 3264: each offered stream is answered in place, either accepted with
/// the codecs both sides have (named as the offer numbered them, RFC 3264 6.1) and the direction that
/// mirrors the offer's, or rejected with port 0.
/// </summary>
public static class SdpOfferAnswer
{
    /// <param name="offer">The remote offer.</param>
    /// <param name="origin">Our o= line; bump its version with each new description of the session.</param>
    /// <param name="connectionAddress">Where we receive media.</param>
    /// <param name="local">Our capabilities per media type ("audio", "video"); each type answers at most one stream.</param>
    public static SdpSession CreateAnswer(SdpSession offer, SdpOrigin origin, string connectionAddress, IReadOnlyDictionary<string, SdpLocalMedia> local)
    {
        var answer = new SdpSession { Origin = origin, SessionName = "-", Connection = SdpConnection.Ip(connectionAddress) };
        answer.TimeLines.AddRange(offer.TimeLines.Where(t => t.StartsWith("t=", StringComparison.Ordinal)).Take(1).DefaultIfEmpty("t=0 0"));
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var offered in offer.Media)
        {
            // An encrypted profile we cannot key (RTP/SAVP without a=crypto handling) is rejected, not answered in clear.
            var accepted = !offered.IsRejected && local.TryGetValue(offered.Type, out var ours) && ours.Takes(offered.Protocol)
                && !used.Contains(offered.Type)
                ? Accept(offer, offered, ours) : null;
            if (accepted is null)
            {
                // A rejected stream keeps the offer's formats: an m= line needs at least one (RFC 3264 6).
                var rejected = new SdpMedia { Type = offered.Type, Port = 0, Protocol = offered.Protocol };
                rejected.Formats.AddRange(offered.Formats);
                answer.Media.Add(rejected);
                continue;
            }
            used.Add(offered.Type);
            answer.Media.Add(accepted);
        }
        return answer;
    }

    private static SdpMedia? Accept(SdpSession offer, SdpMedia offered, SdpLocalMedia ours)
    {
        var offeredMaps = offered.RtpMaps;
        var media = new SdpMedia { Type = offered.Type, Port = ours.Port, Protocol = offered.Protocol };
        foreach (var codec in ours.Codecs)
        {
            var match = offeredMaps.FirstOrDefault(m => m.Encoding.Equals(codec.Name, StringComparison.OrdinalIgnoreCase)
                && m.ClockRate == codec.ClockRate && (m.Channels ?? 1) == (codec.Channels ?? 1));
            if (match is null) continue;
            var pt = match.PayloadType.ToString(CultureInfo.InvariantCulture);
            if (media.Formats.Contains(pt)) continue;
            media.Formats.Add(pt);
            media.Attributes.Add(new SdpAttribute("rtpmap", match.ToAttributeValue()));
            if ((codec.Fmtp ?? offered.GetFmtp(match.PayloadType)) is { } fmtp)
                media.Attributes.Add(new SdpAttribute("fmtp", pt + " " + fmtp));
        }
        // Only comfort noise or DTMF in common is no common codec.
        if (!media.RtpMaps.Any(m => !m.Encoding.Equals("telephone-event", StringComparison.OrdinalIgnoreCase) && !m.Encoding.Equals("CN", StringComparison.OrdinalIgnoreCase)))
            return null;

        if (offered.GetAttribute("ptime") is { } ptime) media.Attributes.Add(new SdpAttribute("ptime", ptime));
        var theirs = offer.DirectionOf(offered);
        media.Direction = SdpDirections.From(
            sends: theirs.Receives() && ours.Direction.Sends(),
            receives: theirs.Sends() && ours.Direction.Receives());
        return media;
    }
}
