using System.Net;
using Yunke.Media.Codecs;

namespace Yunke.Media.Sessions;

/// <summary>
/// The far end of a session as its SDP describes it: where it said it receives (null when not known
/// yet), the payload types negotiated, and the one we send audio with.
/// </summary>
/// <param name="RtpEndPoint">c= address and m= port; with latching on, only a first guess.</param>
/// <param name="AudioPayloadType">The first audio codec of the answer: what we encode to.</param>
public sealed record RtpPeer(IPEndPoint? RtpEndPoint, CodecRegistry Codecs, int AudioPayloadType)
{
    /// <summary>a=rtcp (RFC 3605); by default the RTP port + 1.</summary>
    public IPEndPoint? RtcpEndPoint { get; init; }

    /// <summary>A browser's leg (<see cref="RtpSession.UseWebRtc"/>): its ICE credentials and fingerprint from its SDP.
    /// The endpoints above are then unused: media goes where ICE says.</summary>
    public WebRtcPeer? WebRtc { get; init; }

    public RtpFormat Audio => Codecs[AudioPayloadType] ?? throw new InvalidOperationException($"Payload type {AudioPayloadType} is not in the session's codecs.");

    /// <summary>A peer that sends and receives PCMU (0), PCMA (8) and telephone-event (101), sending PCMU; for tests and tools.</summary>
    public static RtpPeer Default(IPEndPoint? rtp) => new(rtp, CodecRegistry.Default, 0);
}
