using System.Globalization;
using System.Net;
using Yunke.Media.Audio;
using Yunke.Media.Codecs;
using Yunke.Media.Sessions;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// Media anchored on Yunke: each leg talks RTP to a session on Yunke's ports (the caller's answer and the
/// agent's offer both point at Yunke), the relay joins them (transcoding PCMU/PCMA when the legs chose
/// differently, passing telephone events) and the recorder mixes both directions into one WAV.
/// </summary>
public sealed class AnchoredMedia(RtpPortAllocator ports, string host, TimeProvider clock) : ICallMedia
{
    private readonly string sessionId = clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture);
    private RtpSession? callerSide;
    private RtpSession? agentSide;
    private SdpSession? callerOffer;
    private RtpRelay? relay;
    private CallRecorder? recorder;

    public SdpSession OfferForAgent(SdpSession? offer)
    {
        callerOffer = offer;
        var options = new RtpSessionOptions { Time = clock };
        callerSide ??= ports.Open(options);
        agentSide ??= ports.Open(options);
        return Offer(agentSide);
    }

    public SdpSession OfferForCustomer() => Offer(callerSide ?? throw new InvalidOperationException("Offer to the agent first."));

    public bool AgentAnswered(SdpSession agentAnswer)
    {
        if (agentSide is null || Peer(agentAnswer, agentAnswer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected)) is not { } agent) return false;
        agentSide.SetPeer(agent);
        return true;
    }

    public bool CustomerAnswered(SdpSession customerAnswer)
    {
        if (callerSide is null || Peer(customerAnswer, customerAnswer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected)) is not { } customer) return false;
        callerSide.SetPeer(customer);
        return true;
    }

    /// <summary>Yunke's offer from one of its sessions: PCMU, PCMA and telephone events.</summary>
    private SdpSession Offer(RtpSession session)
    {
        var sdp = NewSession();
        var audio = new SdpMedia { Type = "audio", Port = session.LocalEndPoint.Port, Protocol = "RTP/AVP" };
        foreach (var (pt, codec) in new[] { (0, CallCodecs.Audio[0]), (8, CallCodecs.Audio[1]), (101, CallCodecs.Audio[2]) })
        {
            audio.Formats.Add(pt.ToString(CultureInfo.InvariantCulture));
            audio.Attributes.Add(new SdpAttribute("rtpmap", new SdpRtpMap(pt, codec.Name, codec.ClockRate).ToAttributeValue()));
            if (codec.Fmtp is { } fmtp) audio.Attributes.Add(new SdpAttribute("fmtp", $"{pt} {fmtp}"));
        }
        audio.Attributes.Add(new SdpAttribute("ptime", "20"));
        audio.Direction = SdpDirection.SendRecv;
        sdp.Media.Add(audio);
        return sdp;
    }

    public SdpSession? AnswerForCaller(SdpSession agentAnswer)
    {
        if (callerOffer is null || callerSide is null || agentSide is null) return null;
        if (Peer(agentAnswer, agentAnswer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected)) is not { } agent) return null;

        // The caller gets the agent's codec first when it offered it, so the relay seldom has to transcode.
        var preferred = CallCodecs.Audio.OrderBy(c => c.Name.Equals(agent.Audio.Name, StringComparison.OrdinalIgnoreCase) ? 0 : 1).ToList();
        var answer = SdpOfferAnswer.CreateAnswer(callerOffer, Origin(), host,
            new Dictionary<string, SdpLocalMedia> { ["audio"] = new(callerSide.LocalEndPoint.Port, preferred) });
        var answered = answer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);
        var offered = callerOffer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);
        if (answered is null || offered is null) return null;
        var callerEndPoint = EndPoint(callerOffer, offered);
        if (Registry(answered) is not { } callerCodecs || FirstAudio(answered) is not { } callerPt) return null;

        agentSide.SetPeer(agent);
        callerSide.SetPeer(new RtpPeer(callerEndPoint, callerCodecs, callerPt));
        return answer;
    }

    public bool Start(string? recordingPath)
    {
        if (callerSide is null || agentSide is null) return false;
        if (recordingPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(recordingPath)!);
            recorder = CallRecorder.Create(recordingPath, clock);
            recorder.Attach(callerSide);
            recorder.Attach(agentSide);
        }
        relay = new RtpRelay(callerSide, agentSide);
        return recorder is not null;
    }

    public async ValueTask DisposeAsync()
    {
        relay?.Dispose();
        recorder?.Dispose();
        if (callerSide is not null) await callerSide.DisposeAsync();
        if (agentSide is not null) await agentSide.DisposeAsync();
    }

    private static RtpPeer? Peer(SdpSession sdp, SdpMedia? media)
    {
        if (media is null || Registry(media) is not { } codecs || FirstAudio(media) is not { } pt) return null;
        return new RtpPeer(EndPoint(sdp, media), codecs, pt);
    }

    private static CodecRegistry? Registry(SdpMedia media)
    {
        var registry = new CodecRegistry();
        foreach (var map in media.RtpMaps) registry = registry.With(map.PayloadType, map.Encoding, map.ClockRate);
        return registry.Formats.Any() ? registry : null;
    }

    /// <summary>The first payload type of the m= line that Yunke can decode (PCMU or PCMA).</summary>
    private static int? FirstAudio(SdpMedia media) =>
        media.RtpMaps.FirstOrDefault(m => CodecRegistry.FindCodec(m.Encoding, m.ClockRate) is not null)?.PayloadType;

    private static IPEndPoint? EndPoint(SdpSession sdp, SdpMedia media) =>
        sdp.ConnectionOf(media) is { } c && IPAddress.TryParse(c.Address, out var address) ? new IPEndPoint(address, media.Port) : null;

    private SdpOrigin Origin() => new("yunke", sessionId, "1", "IN", host.Contains(':') ? "IP6" : "IP4", host);

    private SdpSession NewSession()
    {
        var sdp = new SdpSession { Origin = Origin(), SessionName = "Yunke", Connection = SdpConnection.Ip(host) };
        sdp.TimeLines.Add("t=0 0");
        return sdp;
    }
}

/// <summary>Opens anchored media for each call on the <c>Yunke:Rtp</c> port range of <c>Yunke:Sip:Host</c>.</summary>
public sealed class AnchoredMediaFactory(RtpPortAllocator ports, string host, TimeProvider clock) : ICallMediaFactory
{
    public ICallMedia Open() => new AnchoredMedia(ports, host, clock);
}
