using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Yunke.Sip.Messages;
using Yunke.Sip.Transactions;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Tests.Transactions;

/// <summary>The Completed state of non-INVITE server transactions over UDP, kept apart from them (RFC 3261 17.2.2, timer J).</summary>
public class CompletedRequestsTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingFlow flow = new();

    private static SipRequest Register(string branch, string sentBy = "192.0.2.1:5060") => (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(
        $"REGISTER sip:yunke.example SIP/2.0\r\nVia: SIP/2.0/UDP {sentBy};branch={branch}\r\n" +
        "From: <sip:1001@yunke.example>;tag=f1\r\nTo: <sip:1001@yunke.example>\r\nCall-ID: c1\r\nCSeq: 7 REGISTER\r\nContent-Length: 0\r\n\r\n")).Message!;

    private static SipTransactionKey Key(SipRequest request) => SipTransactionKey.ForServer(request)!.Value;

    [Fact]
    public void A_retransmission_gets_the_same_bytes_again_until_timer_j()
    {
        var completed = new SipCompletedRequests(clock, TimeSpan.FromSeconds(32));
        var register = Register("z9hG4bK-1");
        completed.Complete(Key(register), SipResponse.CreateFor(register, 200, "OK", "t1"), flow);

        clock.Advance(TimeSpan.FromSeconds(31.9));
        completed.Repeat(Key(Register("z9hG4bK-1"))).ShouldBeTrue();
        flow.Sent.Count.ShouldBe(2);
        flow.Sent[1].ShouldBe(flow.Sent[0]);
        Encoding.UTF8.GetString(flow.Sent[0]).ShouldStartWith("SIP/2.0 200 OK\r\n");

        clock.Advance(TimeSpan.FromSeconds(0.2));
        completed.Repeat(Key(register)).ShouldBeFalse("after timer J the request is new again");
        flow.Sent.Count.ShouldBe(2);
    }

    [Fact]
    public void Only_the_same_branch_from_the_same_sender_matches()
    {
        var completed = new SipCompletedRequests(clock, TimeSpan.FromSeconds(32));
        var register = Register("z9hG4bK-2");
        completed.Complete(Key(register), SipResponse.CreateFor(register, 401, "Unauthorized", "t1"), flow);

        completed.Repeat(Key(Register("z9hG4bK-3"))).ShouldBeFalse();
        completed.Repeat(Key(Register("z9hG4bK-2", "192.0.2.9:5060"))).ShouldBeFalse();
        completed.Repeat(Key(Register("z9hG4bK-2"))).ShouldBeTrue();
    }

    [Fact]
    public void Expired_answers_are_swept_as_new_ones_come()
    {
        var completed = new SipCompletedRequests(clock, TimeSpan.FromSeconds(32));
        for (var i = 0; i < 100; i++)
        {
            var register = Register($"z9hG4bK-old{i}");
            completed.Complete(Key(register), SipResponse.CreateFor(register, 200, "OK", "t1"), flow);
        }
        completed.Count.ShouldBe(100);
        clock.Advance(TimeSpan.FromSeconds(33));
        var fresh = Register("z9hG4bK-new");
        completed.Complete(Key(fresh), SipResponse.CreateFor(fresh, 200, "OK", "t1"), flow);
        completed.Count.ShouldBe(1);
    }

    private sealed class RecordingFlow : SipFlow
    {
        public List<byte[]> Sent { get; } = [];
        public override SipTransportKind Kind => SipTransportKind.Udp;
        public override IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5060);
        public override IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Parse("192.0.2.1"), 5060);

        public override bool Send(ReadOnlyMemory<byte> bytes)
        {
            Sent.Add(bytes.ToArray());
            return true;
        }
    }
}
