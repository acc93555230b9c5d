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
/// differently, passing telephone events) and the recorder mixes both directions into one WAV. The caller
/// is answered with early media at once and hears ringback while it waits.
/// </summary>
public sealed class AnchoredMedia(RtpPortAllocator ports, string host, TimeProvider clock) : ICallMedia
{
    /// <summary>The Chinese ringback tone: 450 Hz, 1 s on, 4 s off (GB/T 3380); queue prompts from WAV files come later.</summary>
    private static readonly AudioClip Ringback = AudioClip.Tone([450], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

    private readonly string sessionId = clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture);
    private RtpSession? callerSide;
    private RtpSession? agentSide;
    private WavPlayer? ringback;
    private RtpRelay? relay;
    private CallRecorder? recorder;

    public SdpSession? AnswerForCaller(SdpSession offer)
    {
        Open();
        var answer = SdpOfferAnswer.CreateAnswer(offer, Origin(), host,
            new Dictionary<string, SdpLocalMedia> { ["audio"] = new(callerSide!.LocalEndPoint.Port, CallCodecs.Audio) });
        var answered = answer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);
        var offered = offer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);
        if (answered is null || offered is null || Registry(answered) is not { } codecs || FirstAudio(answered) is not { } pt) return null;
        callerSide.SetPeer(new RtpPeer(EndPoint(offer, offered), codecs, pt));
        return answer;
    }

    public void PlayRingback()
    {
        if (callerSide is null || ringback is not null) return;
        ringback = new WavPlayer(callerSide, Ringback, loop: true, clock);
        ringback.Start();
    }

    public SdpSession OfferForAgent()
    {
        Open();
        return Offer(agentSide!);
    }

    public SdpSession OfferForCustomer()
    {
        Open();
        return Offer(callerSide!);
    }

    public bool AgentAnswered(SdpSession agentAnswer) => Answered(agentSide, agentAnswer);

    public bool CustomerAnswered(SdpSession customerAnswer) => Answered(callerSide, customerAnswer);

    private static bool Answered(RtpSession? session, SdpSession answer)
    {
        if (session is null || Peer(answer, answer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected)) is not { } peer) return false;
        session.SetPeer(peer);
        return true;
    }

    private void Open()
    {
        var options = new RtpSessionOptions { Time = clock };
        callerSide ??= ports.Open(options);
        agentSide ??= ports.Open(options);
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

    public bool Start(string? recordingPath)
    {
        if (callerSide is null || agentSide is null) return false;
        // A player and the relay must not feed the caller's session at once.
        ringback?.Stop();
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
        if (ringback is not null) await ringback.DisposeAsync();
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
