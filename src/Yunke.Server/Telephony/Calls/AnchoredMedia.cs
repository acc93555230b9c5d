using System.Globalization;
using System.Net;
using Yunke.Media.Audio;
using Yunke.Media.Codecs;
using Yunke.Media.Dtls;
using Yunke.Media.Sessions;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// Media anchored on Yunke: each leg talks RTP to a session on Yunke's ports (the caller's answer and the
/// agent's offer both point at Yunke), the relay joins them (transcoding PCMU/PCMA when the legs chose
/// differently, passing telephone events) and the recorder mixes both directions into one WAV. The caller
/// is answered with early media at once and hears the queue prompt (or ringback) while it waits, and hold
/// music while held. A leg whose SDP is a browser's is a WebRTC leg (<see cref="WebRtcSdp"/>): ICE-lite, DTLS-SRTP,
/// SRTP, terminated on its session, so the relay, the recorder and the players see plain RTP on every leg.
/// </summary>
public sealed class AnchoredMedia(RtpPortAllocator ports, string host, CallPrompts prompts, DtlsCertificate certificate, TimeProvider clock)
    : ICallMedia
{
    // The a=mid of the one stream Yunke offers (RFC 8843); an answer repeats the offer's.
    private const string OurMid = "0";
    private readonly Lock sync = new();
    private readonly string sessionId = clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture);
    // What Yunke last described to each side, and that description's o= version (RFC 3264 8: it goes up with each change).
    private readonly Dictionary<CallSide, (SdpSession Sdp, int Version)> described = [];
    // While the agent's phones ring, one offer per kind of phone rung (true: a browser's WebRTC), each on a session of
    // its own: the phone that answers decides which is kept; the other is closed.
    private readonly Dictionary<bool, (RtpSession Session, SdpSession Offer)> agentOffers = [];
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
        lock (sync)
            if (callerSide is null)
            {
                callerSide = ports.Open(Options());
                // A browser calling in: its leg is secured before anything is described.
                if (WebRtcSdp.Audio(offer) is { } audio && WebRtcSdp.IsWebRtc(audio)) callerSide.UseWebRtc(certificate);
            }
        return Renegotiate(CallSide.Customer, offer);
    }

    public SdpSession? Renegotiate(CallSide side, SdpSession offer)
    {
        var session = Session(side);
        var secure = session.WebRtc;
        var answer = SdpOfferAnswer.CreateAnswer(offer, Origin(), host, new Dictionary<string, SdpLocalMedia>
        {
            ["audio"] = new(session.LocalEndPoint.Port, CallCodecs.Audio, Protocols: secure is null ? SdpLocalMedia.PlainRtp : WebRtcSdp.Protocols),
        });
        var answered = WebRtcSdp.Audio(answer);
        var offered = WebRtcSdp.Audio(offer);
        if (answered is null || offered is null || Registry(answered) is not { } codecs || FirstAudio(answered) is not { } pt) return null;
        if (secure is not null)
        {
            // Where media goes is ICE's business: c= and m= ports say nothing (a browser may well write 0.0.0.0 and 9).
            if (WebRtcSdp.ReadPeer(offer, offered, weOffered: false, secure.Peer?.OurRole) is not { } browser) return null;
            WebRtcSdp.Describe(answer, answered, secure, CandidateOf(session), WebRtcSdp.AnswerSetup(browser.OurRole), offered.GetAttribute("mid") ?? OurMid);
            return TrySetPeer(session, new RtpPeer(null, codecs, pt) { WebRtc = browser }) ? Describe(side, answer) : null;
        }
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

    public SdpSession OfferForAgent(bool browser)
    {
        lock (sync)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!agentOffers.TryGetValue(browser, out var offered))
            {
                var session = ports.Open(Options());
                if (browser) session.UseWebRtc(certificate);
                var offer = Offer(session, SdpDirection.SendRecv, OurMid);
                offer.Origin = Origin(1);
                agentOffers[browser] = offered = (session, offer);
            }
            return offered.Offer;
        }
    }

    public SdpSession OfferForCustomer()
    {
        lock (sync) callerSide ??= ports.Open(Options());
        return Reoffer(CallSide.Customer, SdpDirection.SendRecv);
    }

    public SdpSession Reoffer(CallSide side, SdpDirection direction)
    {
        // A browser's stream keeps the mid it was given.
        string? mid;
        lock (sync) mid = described.TryGetValue(side, out var last) && WebRtcSdp.Audio(last.Sdp) is { } audio ? audio.GetAttribute("mid") : null;
        return Describe(side, Offer(Session(side), direction, mid ?? OurMid));
    }

    public bool Reanswered(CallSide side, SdpSession answer) => Answered(Session(side), answer);

    public SdpSession Current(CallSide side)
    {
        lock (sync) return described[side].Sdp;
    }

    public string? Failure(CallSide side)
    {
        if ((side == CallSide.Customer ? callerSide : agentSide)?.WebRtc is not { } secure) return null;
        if (secure.Failure is { } failure) return $"DTLS-SRTP with the {Name(side)} failed: {failure.Message}";
        return secure.ConsentExpired ? $"the {Name(side)}'s browser stopped confirming ICE consent" : null;
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

    public bool AgentAnswered(SdpSession agentAnswer)
    {
        var browser = WebRtcSdp.Audio(agentAnswer) is { } audio && WebRtcSdp.IsWebRtc(audio);
        RtpSession session;
        List<RtpSession> unused;
        lock (sync)
        {
            if (disposed || agentSide is not null || !agentOffers.TryGetValue(browser, out var offered)) return false;
            (agentSide, session) = (offered.Session, offered.Session);
            described[CallSide.Agent] = (offered.Offer, 1);
            unused = [.. agentOffers.Where(o => o.Key != browser).Select(o => o.Value.Session)];
            agentOffers.Clear();
        }
        foreach (var other in unused) _ = other.DisposeAsync().AsTask();
        return Answered(session, agentAnswer);
    }

    public bool CustomerAnswered(SdpSession customerAnswer) => Answered(callerSide, customerAnswer);

    /// <summary>The answer to an offer of ours; on a browser's leg it must be the browser's (RFC 3264 6: the same transport).</summary>
    private static bool Answered(RtpSession? session, SdpSession answer)
    {
        if (session is null || WebRtcSdp.Audio(answer) is not { } audio || Registry(audio) is not { } codecs || FirstAudio(audio) is not { } pt)
            return false;
        if (session.WebRtc is { } secure)
            return WebRtcSdp.IsWebRtc(audio) && WebRtcSdp.ReadPeer(answer, audio, weOffered: true, secure.Peer?.OurRole) is { } browser
                && TrySetPeer(session, new RtpPeer(null, codecs, pt) { WebRtc = browser });
        if (WebRtcSdp.IsWebRtc(audio)) return false;
        session.SetPeer(new RtpPeer(EndPoint(answer, audio), codecs, pt));
        return true;
    }

    /// <summary>False for what a WebRTC leg cannot follow: an ICE restart or a new DTLS association in a re-INVITE.</summary>
    private static bool TrySetPeer(RtpSession session, RtpPeer peer)
    {
        try
        {
            session.SetPeer(peer);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private RtpSessionOptions Options() => new() { Time = clock };

    /// <summary>Where the browser reaches the session: the address our SDP names, on the session's port.</summary>
    private IPEndPoint CandidateOf(RtpSession session) =>
        new(IPAddress.TryParse(host, out var address) ? address : session.LocalEndPoint.Address, session.LocalEndPoint.Port);

    private static string Name(CallSide side) => side == CallSide.Customer ? "customer" : "agent's phone";

    /// <summary>Yunke's offer from one of its sessions: PCMU, PCMA and telephone events; on a browser's leg, with its security.</summary>
    private SdpSession Offer(RtpSession session, SdpDirection direction, string mid)
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
        if (session.WebRtc is { } secure) WebRtcSdp.Describe(sdp, audio, secure, CandidateOf(session), WebRtcSdp.OfferSetup(secure.Peer?.OurRole), mid);
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
        List<RtpSession> offered;
        lock (sync)
        {
            disposed = true;
            offered = [.. agentOffers.Values.Select(o => o.Session)];
            agentOffers.Clear();
        }
        foreach (var session in offered) await session.DisposeAsync();
        if (ringback is not null) await ringback.DisposeAsync();
        if (agentRingback is not null) await agentRingback.DisposeAsync();
        if (holdMusic is not null) await holdMusic.DisposeAsync();
        relay?.Dispose();
        recorder?.Dispose();
        if (callerSide is not null) await callerSide.DisposeAsync();
        if (agentSide is not null) await agentSide.DisposeAsync();
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
/// <remarks>One DTLS certificate serves every browser leg: its fingerprint in the SDP is what a browser checks.</remarks>
public sealed class AnchoredMediaFactory(RtpPortAllocator ports, string host, CallPrompts prompts, DtlsCertificate certificate, TimeProvider clock)
    : ICallMediaFactory
{
    public ICallMedia Open() => new AnchoredMedia(ports, host, prompts, certificate, clock);
}
