using Yunke.Media.Sessions;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// Whether Yunke takes one more call. A call Yunke cannot give clean media must not make the calls in progress
/// worse: it is refused at the door with 503 and Retry-After (RFC 3261 21.5.4), so a carrier or PBX tries again
/// later or elsewhere while the calls in progress keep their audio. Refused when the calls in progress reach
/// <c>Yunke:Calls:MaxCalls</c>, when the RTP range has no room for two more legs, or when the media threads are
/// busy (<see cref="UdpPoller.Load"/> at <c>Yunke:Calls:MaxMediaLoad</c> or above). The first
/// and the last are off by default.
/// </summary>
public sealed class CallAdmission(RtpPortAllocator ports, CallSettings settings)
{
    /// <summary>A call anchors two legs, each on its own RTP/RTCP pair.</summary>
    public const int PortPairsPerCall = 2;

    /// <summary>What a refused caller is asked to wait before trying again: about the time a few calls take to end.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Why one more call is refused now (a SIP reason phrase); null when it is taken.</summary>
    public string? RefusalFor(int callsInProgress) =>
        Refusal(callsInProgress, settings.MaxCalls, ports.PairCount - ports.PairsInUse,
            // Measured only when the check is on: reading it takes a lock and would move its windows for nothing.
            settings.MaxMediaLoad > 0 ? ports.Poller?.Load ?? 0 : 0, settings.MaxMediaLoad);

    public static string? Refusal(int callsInProgress, int maxCalls, int freePortPairs, double mediaLoad, double maxMediaLoad) =>
        maxCalls > 0 && callsInProgress >= maxCalls ? "Too Many Calls"
        : freePortPairs < PortPairsPerCall ? "No Media Ports"
        : maxMediaLoad > 0 && mediaLoad >= maxMediaLoad ? "Media Overloaded"
        : null;
}
