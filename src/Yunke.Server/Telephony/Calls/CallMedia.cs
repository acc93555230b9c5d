using Yunke.Sip.Sdp;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The media of one call as the call controller sees it: SDP in, SDP out, and "media flows now". The RTP
/// side (Yunke.Media: anchored sessions on Yunke's ports, the relay between the legs, the recorder) fills
/// it in; the call controller never touches packets.
/// </summary>
public interface ICallMedia : IAsyncDisposable
{
    /// <summary>The offer for the agent's phone; for an inbound call, made once the caller's offer is known.</summary>
    SdpSession OfferForAgent(SdpSession? callerOffer);

    /// <summary>The answer for the caller, made from the agent phone's answer; null when there is no codec in common.</summary>
    SdpSession? AnswerForCaller(SdpSession agentAnswer);

    /// <summary>Outbound calls: Yunke's offer to the customer (through the trunk), after the agent answered (<see cref="AgentAnswered"/>).</summary>
    SdpSession OfferForCustomer();

    /// <summary>The agent phone's answer to <see cref="OfferForAgent"/>; false when it has no usable codec.</summary>
    bool AgentAnswered(SdpSession agentAnswer);

    /// <summary>The customer side's answer to <see cref="OfferForCustomer"/>; false when it has no usable codec.</summary>
    bool CustomerAnswered(SdpSession customerAnswer);

    /// <summary>Both legs answered: relay between them, recording into <paramref name="recordingPath"/> when given.</summary>
    /// <returns>Whether a recording is being written.</returns>
    bool Start(string? recordingPath);
}

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

    /// <summary>Whether the offer has an audio stream with a codec Yunke can relay.</summary>
    public static bool Acceptable(SdpSession offer)
    {
        var answer = SdpOfferAnswer.CreateAnswer(offer, new SdpOrigin("-", "0", "0", "IN", "IP4", "0.0.0.0"), "0.0.0.0",
            new Dictionary<string, SdpLocalMedia> { ["audio"] = new(9, Audio) });
        return answer.Media.Any(m => m.Type == "audio" && !m.IsRejected);
    }
}
