using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The media of one call as the call controller sees it: SDP in, SDP out, and "media flows now". The RTP
/// side (Yunke.Media: anchored sessions on Yunke's ports, the relay between the legs, the recorder) fills
/// it in; the call controller never touches packets.
/// </summary>
public interface ICallMedia : IAsyncDisposable
{
    /// <summary>Inbound calls: Yunke's answer to the caller's offer, given at once (early media); null when there is no codec in common.</summary>
    SdpSession? AnswerForCaller(SdpSession callerOffer);

    /// <summary>The caller hears the queue prompt (or ringback when there is none) over early media until <see cref="Start"/>.</summary>
    void PlayRingback();

    /// <summary>Yunke's offer to the agent's phone: WebRTC to a <paramref name="browser"/>, plain RTP to a SIP phone. While
    /// the phones ring each kind gets one offer; the answering phone's answer decides which is used.</summary>
    SdpSession OfferForAgent(bool browser);

    /// <summary>The agent phone's answer to <see cref="OfferForAgent"/>; false when it has no usable codec.</summary>
    bool AgentAnswered(SdpSession agentAnswer);

    /// <summary>Outbound calls: Yunke's offer to the customer (through the trunk).</summary>
    SdpSession OfferForCustomer();

    /// <summary>The customer side's answer to <see cref="OfferForCustomer"/>; false when it has no usable codec.</summary>
    bool CustomerAnswered(SdpSession customerAnswer);

    /// <summary>Outbound calls, while the customer's phone rings: the agent hears Yunke's ringback tone.</summary>
    void RingbackToAgent();

    /// <summary>
    /// Outbound calls: the customer side's early media (a 183 with SDP: a carrier's ringback or announcement) reaches
    /// the agent, instead of Yunke's ringback; nothing goes the other way until the answer. False when it has no usable codec.
    /// </summary>
    bool CustomerEarlyMedia(SdpSession earlyAnswer);

    /// <summary>Both legs answered: ringback stops, relaying starts, recording into <paramref name="recordingPath"/> when given.</summary>
    /// <returns>Whether a recording is being written.</returns>
    bool Start(string? recordingPath);

    /// <summary>Yunke's answer to a phone's new offer (re-INVITE or UPDATE) on the same port; null when there is no codec in common.</summary>
    SdpSession? Renegotiate(CallSide side, SdpSession offer);

    /// <summary>Yunke's offer for a re-INVITE to one side, in that direction (sendonly to hold, sendrecv to resume).</summary>
    SdpSession Reoffer(CallSide side, SdpDirection direction);

    /// <summary>The answer to <see cref="Reoffer"/>; false when it has no usable codec.</summary>
    bool Reanswered(CallSide side, SdpSession answer);

    /// <summary>The SDP Yunke last gave that side (a session refresh by re-INVITE offers it unchanged).</summary>
    SdpSession Current(CallSide side);

    /// <summary>What flows once talking: each direction of the relay, and the hold music to the customer instead of the agent.</summary>
    void Route(bool customerToAgent, bool agentToCustomer, bool holdMusic);

    /// <summary>Time since the last RTP packet from that side; null when none came yet.</summary>
    TimeSpan? SinceLastPacket(CallSide side);

    /// <summary>Why that side's media can no longer flow (a browser's DTLS failed or its ICE consent lapsed); null while it can.</summary>
    string? Failure(CallSide side);
}

/// <summary>The two sides of a call's media: the customer (the caller, or the one called out to) and the agent's phone.</summary>
public enum CallSide { Customer, Agent }

/// <summary>Opens the media of each new call.</summary>
public interface ICallMediaFactory
{
    ICallMedia Open();
}

/// <summary>
/// The codecs Yunke handles (G.711 and RFC 4733 events); an offer without PCMU or PCMA is answered 488
/// before the call waits anywhere.
/// </summary>
public static class CallCodecs
{
    public static readonly IReadOnlyList<SdpCodec> Audio =
        [new("PCMU", 8000), new("PCMA", 8000), new("telephone-event", 8000, Fmtp: "0-16")];

    /// <summary>Whether the offer has an audio stream with a codec Yunke can relay, over plain RTP or from a browser.</summary>
    public static bool Acceptable(SdpSession offer)
    {
        var answer = SdpOfferAnswer.CreateAnswer(offer, new SdpOrigin("-", "0", "0", "IN", "IP4", "0.0.0.0"), "0.0.0.0",
            new Dictionary<string, SdpLocalMedia> { ["audio"] = new(9, Audio, Protocols: [.. SdpLocalMedia.PlainRtp, .. WebRtcSdp.Protocols]) });
        return answer.Media.Any(m => m.Type == "audio" && !m.IsRejected);
    }
}
