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
/// is answered with early media at once and hears the queue prompt (or ringback) while it waits, and hold
/// music while held.
/// </summary>
public sealed class AnchoredMedia(RtpPortAllocator ports, string host, CallPrompts prompts, TimeProvider clock) : ICallMedia
{
    private readonly Lock sync = new();
    private readonly string sessionId = clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture);
    // What Yunke last described to each side, and that description's o= version (RFC 3264 8: it goes up with each change).
    private readonly Dictionary<CallSide, (SdpSession Sdp, int Version)> described = [];
    private RtpSession? callerSide;
    private RtpSession? agentSide;
    private WavPlayer? ringback;
    private WavPlayer? agentRingback;
    private WavPlayer? holdMusic;
    private RtpRelay? relay;
    private CallRecorder? recorder;
    private bool disposed;

    public SdpSession? AnswerForCaller(SdpSession offer)
    {
        Open();
        return Renegotiate(CallSide.Customer, offer);
    }

    public SdpSession? Renegotiate(CallSide side, SdpSession offer)
    {
        var session = Session(side);
        var answer = SdpOfferAnswer.CreateAnswer(offer, Origin(), host,
            new Dictionary<string, SdpLocalMedia> { ["audio"] = new(session.LocalEndPoint.Port, CallCodecs.Audio) });
        var answered = answer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);
        var offered = offer.Media.FirstOrDefault(m => m.Type == "audio" && !m.IsRejected);
        if (answered is null || offered is null || Registry(answered) is not { } codecs || FirstAudio(answered) is not { } pt) return null;
        var at = EndPoint(offer, offered);
        if (at?.Address.Equals(IPAddress.Any) == true)
        {
            // Hold the RFC 2543 way (c=0.0.0.0, RFC 3264 8.4): the phone will not receive; where it was stays the peer.
            answered.Direction = answered.Direction is SdpDirection.SendRecv or SdpDirection.RecvOnly ? SdpDirection.RecvOnly : SdpDirection.Inactive;
            at = session.Peer?.RtpEndPoint;
        }
        session.SetPeer(new RtpPeer(at, codecs, pt));
        return Describe(side, answer);
    }

    public void PlayRingback()
    {
        if (callerSide is null || ringback is not null) return;
        ringback = new WavPlayer(callerSide, prompts.Queue, loop: true, clock);
        ringback.Start();
    }

    public void RingbackToAgent()
    {
        lock (sync)
        {
            // Not over the customer's own early media: a player and the relay must not feed one session at once.
            if (agentSide is null || agentRingback is not null || relay is not null || disposed) return;
            agentRingback = new WavPlayer(agentSide, CallPrompts.Ringback, loop: true, clock);
            agentRingback.Start();
        }
    }

    public bool CustomerEarlyMedia(SdpSession earlyAnswer)
    {
        if (agentSide is null || !CustomerAnswered(earlyAnswer)) return false;
        lock (sync)
        {
            if (disposed) return false;
            agentRingback?.Stop();
            relay ??= new RtpRelay(callerSide!, agentSide) { ForwardBToA = false };
        }
        return true;
    }

    public SdpSession OfferForAgent()
    {
        Open();
        return Reoffer(CallSide.Agent, SdpDirection.SendRecv);
    }

    public SdpSession OfferForCustomer()
    {
        Open();
        return Reoffer(CallSide.Customer, SdpDirection.SendRecv);
    }

    public SdpSession Reoffer(CallSide side, SdpDirection direction) => Describe(side, Offer(Session(side), direction));

    public bool Reanswered(CallSide side, SdpSession answer) => Answered(Session(side), answer);

    public SdpSession Current(CallSide side)
    {
        lock (sync) return described[side].Sdp;
    }

    public void Route(bool customerToAgent, bool agentToCustomer, bool music)
    {
        lock (sync)
        {
            if (relay is null || callerSide is null || disposed) return;
            // The relay and a player must not feed the customer's session at once: the player only plays while the relay is off.
            relay.ForwardAToB = customerToAgent;
            relay.ForwardBToA = agentToCustomer && !music;
            if (music && holdMusic is null)
            {
                holdMusic = new WavPlayer(callerSide, prompts.Hold, loop: true, clock);
                holdMusic.Start();
            }
            else if (!music && holdMusic is not null)
            {
                holdMusic.Stop();
                holdMusic = null;
            }
        }
    }

    public TimeSpan? SinceLastPacket(CallSide side) => Session(side).SinceLastPacket;

    private RtpSession Session(CallSide side) =>
        (side == CallSide.Customer ? callerSide : agentSide) ?? throw new InvalidOperationException("The media is not open.");

    /// <summary>Gives the description the o= version it needs: the last one again when nothing changed, the next when something did.</summary>
    private SdpSession Describe(CallSide side, SdpSession sdp)
    {
        lock (sync)
        {
            var version = 1;
            if (described.TryGetValue(side, out var last))
            {
                sdp.Origin = last.Sdp.Origin;
                version = sdp.ToString() == last.Sdp.ToString() ? last.Version : last.Version + 1;
            }
            sdp.Origin = Origin(version);
            described[side] = (sdp, version);
            return sdp;
        }
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
    private SdpSession Offer(RtpSession session, SdpDirection direction)
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
        audio.Direction = direction;
        sdp.Media.Add(audio);
        return sdp;
    }

    public bool Start(string? recordingPath)
    {
        if (callerSide is null || agentSide is null) return false;
        // A player and the relay must not feed one session at once.
        ringback?.Stop();
        if (recordingPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(recordingPath)!);
            recorder = CallRecorder.Create(recordingPath, clock);
            recorder.Attach(callerSide);
            recorder.Attach(agentSide);
        }
        lock (sync)
        {
            agentRingback?.Stop();
            // The relay of the customer's early media, if there was some, carries on both ways now.
            relay ??= new RtpRelay(callerSide, agentSide);
            relay.ForwardAToB = relay.ForwardBToA = true;
        }
        return recorder is not null;
    }

    public async ValueTask DisposeAsync()
    {
        lock (sync) disposed = true;
        if (ringback is not null) await ringback.DisposeAsync();
        if (agentRingback is not null) await agentRingback.DisposeAsync();
        if (holdMusic is not null) await holdMusic.DisposeAsync();
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

    private SdpOrigin Origin(int version = 1) =>
        new("yunke", sessionId, version.ToString(CultureInfo.InvariantCulture), "IN", host.Contains(':') ? "IP6" : "IP4", host);

    private SdpSession NewSession()
    {
        var sdp = new SdpSession { Origin = Origin(), SessionName = "Yunke", Connection = SdpConnection.Ip(host) };
        sdp.TimeLines.Add("t=0 0");
        return sdp;
    }
}

/// <summary>Opens anchored media for each call on the <c>Yunke:Rtp</c> port range of <c>Yunke:Sip:Host</c>.</summary>
public sealed class AnchoredMediaFactory(RtpPortAllocator ports, string host, CallPrompts prompts, TimeProvider clock) : ICallMediaFactory
{
    public ICallMedia Open() => new AnchoredMedia(ports, host, prompts, clock);
}
