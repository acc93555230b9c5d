using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Yunke.Server.Telephony.Calls;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;
using Yunke.Sip.Transports;

namespace Yunke.Server.Tests.Calls;

/// <summary>The caller's leg on its own: the 2xx Yunke answers with is repeated over UDP until, and only until, the ACK.</summary>
public sealed class InboundLegTests
{
    private readonly FakeTimeProvider clock = new();

    [Fact]
    public async Task An_ack_that_comes_back_before_the_answer_returns_stops_the_repeats()
    {
        // The caller ACKs the moment the 200 leaves, as on another receive thread that wins the race with Answer.
        InboundLeg? leg = null;
        var flow = new CallerFlow(response => { if (response.StatusCode == 200) leg!.Acknowledged(new SipRequest("ACK", leg.Invite.Uri)); });
        leg = new InboundLeg(await InviteAsync(flow), new SipEndpoint(_ => Task.CompletedTask, clock), clock);

        leg.Answer(Answer(), new SessionExpires(1800, "uas")).ShouldBeTrue();
        clock.Advance(TimeSpan.FromSeconds(10));

        flow.Sent.Count(r => r.StatusCode == 200).ShouldBe(1);
    }

    [Fact]
    public async Task Without_an_ack_the_answer_is_repeated_at_t1_doubling()
    {
        var flow = new CallerFlow(_ => { });
        var leg = new InboundLeg(await InviteAsync(flow), new SipEndpoint(_ => Task.CompletedTask, clock), clock);

        leg.Answer(Answer(), new SessionExpires(1800, "uas")).ShouldBeTrue();
        clock.Advance(TimeSpan.FromMilliseconds(500));
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        flow.Sent.Count(r => r.StatusCode == 200).ShouldBe(3);

        leg.Acknowledged(new SipRequest("ACK", leg.Invite.Uri));
        clock.Advance(TimeSpan.FromSeconds(10));
        flow.Sent.Count(r => r.StatusCode == 200).ShouldBe(3);
    }

    private static SdpSession Answer()
    {
        SdpSession.TryParse("v=0\r\no=yunke 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
            out var sdp, out _).ShouldBeTrue();
        return sdp!;
    }

    /// <summary>An INVITE received by a real endpoint, as the call controller gets it.</summary>
    private async Task<SipIncomingRequest> InviteAsync(CallerFlow flow)
    {
        var arrived = new TaskCompletionSource<SipIncomingRequest>();
        var endpoint = new SipEndpoint(incoming => { arrived.TrySetResult(incoming); return Task.CompletedTask; }, clock);
        const string invite = "INVITE sip:4001@127.0.0.1:5060 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-leg-1;rport\r\n" +
            "Max-Forwards: 70\r\nFrom: <sip:13800138000@192.0.2.1>;tag=caller\r\nTo: <sip:4001@127.0.0.1>\r\n" +
            "Call-ID: leg-test@192.0.2.1\r\nCSeq: 1 INVITE\r\nContact: <sip:13800138000@192.0.2.1:5060>\r\nContent-Length: 0\r\n\r\n";
        var bytes = Encoding.UTF8.GetBytes(invite);
        var message = SipParser.Parse(bytes).Message.ShouldNotBeNull();
        endpoint.Receive(new SipInbound(message, bytes, flow, flow.RemoteEndPoint));
        return await arrived.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>The caller's UDP flow: keeps every response it is sent and shows each to the caller at once.</summary>
    private sealed class CallerFlow(Action<SipResponse> caller) : SipFlow
    {
        public List<SipResponse> Sent { get; } = [];
        public override SipTransportKind Kind => SipTransportKind.Udp;
        public override IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5060);
        public override IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Parse("192.0.2.1"), 5060);

        public override bool Send(ReadOnlyMemory<byte> bytes)
        {
            var response = (SipResponse)SipParser.Parse(bytes.Span).Message!;
            lock (Sent) Sent.Add(response);
            caller(response);
            return true;
        }
    }
}
