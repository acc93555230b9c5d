using System.Net;
using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Media.Sessions;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The SDP of a browser's leg (RFC 8829 as a browser reads it): DTLS-SRTP (RFC 5763/5764) with ICE (RFC 8839), Yunke
/// being ICE-lite with one host candidate, RTCP muxed on the RTP port (RFC 5761). What is written into Yunke's offers
/// and answers, and what is read from the browser's.
/// </summary>
public static class WebRtcSdp
{
    /// <summary>What browsers offer and expect (RFC 8827); RTP/SAVP's DTLS sibling is taken too.</summary>
    public const string Protocol = "UDP/TLS/RTP/SAVPF";
    public static readonly IReadOnlyList<string> Protocols = [Protocol, "UDP/TLS/RTP/SAVP"];

    /// <summary>A stream a browser set up: DTLS-SRTP by its m= line.</summary>
    public static bool IsWebRtc(SdpMedia media) => Protocols.Contains(media.Protocol, StringComparer.OrdinalIgnoreCase);

    /// <summary>The first usable audio stream of a description, and whether it is a browser's.</summary>
    public static SdpMedia? Audio(SdpSession sdp) => sdp.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);

    /// <summary>
    /// Adds our side of the leg to a description: session-level a=ice-lite, and on the audio stream our ICE credentials,
    /// the fingerprint of our certificate, the DTLS role (<paramref name="setup"/>: actpass when offering, passive or
    /// active when answering), rtcp-mux, a=mid (the offer's when answering, so the browser can match it up) and our one
    /// candidate. The stream gets an a=msid so that the browser's track event carries a stream to play.
    /// </summary>
    public static void Describe(SdpSession sdp, SdpMedia audio, WebRtcTransport transport, IPEndPoint local, string setup, string mid)
    {
        audio.Protocol = Protocol;
        sdp.Attributes.Add(Attribute(IceSdp.Lite));
        if (sdp.Media.Count(m => !m.IsRejected) == 1) sdp.Attributes.Add(new SdpAttribute("group", "BUNDLE " + mid));
        audio.Attributes.Add(new SdpAttribute("mid", mid));
        audio.Attributes.Add(Attribute(IceSdp.Ufrag(transport.LocalCredentials)));
        audio.Attributes.Add(Attribute(IceSdp.Password(transport.LocalCredentials)));
        audio.Attributes.Add(new SdpAttribute("fingerprint", transport.Fingerprint.ToString()));
        audio.Attributes.Add(new SdpAttribute("setup", setup));
        audio.Attributes.Add(new SdpAttribute("rtcp-mux", null));
        audio.Attributes.Add(new SdpAttribute("msid", "yunke audio"));
        audio.Attributes.Add(Attribute(IceSdp.HostCandidate(local)));
        audio.Attributes.Add(Attribute(IceSdp.EndOfCandidates));
    }

    /// <summary>
    /// The browser's side from its SDP (offer or answer): ICE credentials and fingerprint (the stream's own, else the
    /// session's), and the DTLS role that leaves us. Null when something is missing: such a leg cannot be secured.
    /// </summary>
    /// <param name="weOffered">Whether <paramref name="sdp"/> answers our actpass offer; else it is the browser's offer.</param>
    /// <param name="established">Our role on this leg so far: a re-offer keeps the association (RFC 8842 5.5).</param>
    public static WebRtcPeer? ReadPeer(SdpSession sdp, SdpMedia audio, bool weOffered, DtlsRole? established)
    {
        var lines = sdp.Attributes.Concat(audio.Attributes).Select(a => a.Value is null ? a.Name : $"{a.Name}:{a.Value}");
        if (IceSdp.ReadCredentials(lines) is not { } ice) return null;
        var fingerprintLine = audio.GetAttribute("fingerprint") ?? sdp.Attributes.FirstOrDefault(a => a.Name == "fingerprint").Value;
        if (!DtlsFingerprint.TryParse(fingerprintLine, out var fingerprint)) return null;
        var theirs = (audio.GetAttribute("setup") ?? sdp.Attributes.FirstOrDefault(a => a.Name == "setup").Value)?.Trim().ToLowerInvariant();
        if (OurRole(theirs, weOffered, established) is not { } role) return null;
        return new WebRtcPeer(ice, fingerprint, role);
    }

    /// <summary>Our a=setup in an answer, for the role <see cref="ReadPeer"/> gave us.</summary>
    public static string AnswerSetup(DtlsRole ours) => ours == DtlsRole.Server ? "passive" : "active";

    /// <summary>Our a=setup in an offer: actpass the first time (RFC 5763 5), the role we have once we have one.</summary>
    public static string OfferSetup(DtlsRole? established) => established is { } role ? AnswerSetup(role) : "actpass";

    // RFC 5763 5 and RFC 8842: the answerer picks; an absent attribute means active in an answer, actpass in an offer.
    // Our preference when the browser lets us choose is passive: the browser then sends the ClientHello as soon as ICE
    // has a pair, which is the quickest start.
    private static DtlsRole? OurRole(string? theirs, bool weOffered, DtlsRole? established)
    {
        if (weOffered)
            return theirs switch
            {
                null or "active" => DtlsRole.Server,
                "passive" => DtlsRole.Client,
                _ => null, // actpass or holdconn in an answer: no association
            };
        return theirs switch
        {
            "active" => DtlsRole.Server,
            "passive" => DtlsRole.Client,
            null or "actpass" => established ?? DtlsRole.Server,
            _ => null,
        };
    }

    private static SdpAttribute Attribute(string line)
    {
        var text = line.StartsWith("a=", StringComparison.Ordinal) ? line[2..] : line;
        var colon = text.IndexOf(':');
        return colon < 0 ? new SdpAttribute(text, null) : new SdpAttribute(text[..colon], text[(colon + 1)..]);
    }
}
