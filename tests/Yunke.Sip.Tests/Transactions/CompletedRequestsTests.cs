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

    [Fact]
    public void Thousands_of_answers_of_every_size_come_back_byte_for_byte_as_segments_fill_and_are_reused()
    {
        // 2 s lingering and one answer per millisecond: about 2000 answers are kept at a time, in segments filled and reused many times over.
        var completed = new SipCompletedRequests(clock, TimeSpan.FromSeconds(2));
        var sent = new Dictionary<int, byte[]>();
        for (var i = 0; i < 20_000; i++)
        {
            var register = Register($"z9hG4bK-many{i}");
            // Answers of 300 to 3300 bytes, so some end exactly at, or would cross, the byte ring's end.
            var response = SipResponse.CreateFor(register, 200, "OK", "t1");
            response.Headers.Add("X-Padding", new string((char)('a' + i % 26), i * 7 % 3000));
            completed.Complete(Key(register), response, flow);
            sent[i] = flow.Sent[^1];
            if (i % 997 == 0)
            {
                // A recent one and one from 1.5 s ago are still there, with their own bytes.
                foreach (var back in new[] { i, Math.Max(0, i - 1500) })
                {
                    completed.Repeat(Key(Register($"z9hG4bK-many{back}"))).ShouldBeTrue();
                    flow.Sent[^1].ShouldBe(sent[back]);
                }
            }
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        completed.Repeat(Key(Register("z9hG4bK-many17000"))).ShouldBeFalse("answered 3 s ago, past timer J");
        completed.Count.ShouldBeInRange(1999, 2001);
        clock.Advance(TimeSpan.FromSeconds(2));
        completed.Repeat(Key(Register("z9hG4bK-many19999"))).ShouldBeFalse();
    }

    [Fact]
    public void A_request_answered_again_after_timer_j_keeps_its_new_answer_when_the_old_one_expires()
    {
        var completed = new SipCompletedRequests(clock, TimeSpan.FromSeconds(32));
        var register = Register("z9hG4bK-again");
        completed.Complete(Key(register), SipResponse.CreateFor(register, 401, "Unauthorized", "t1"), flow);
        clock.Advance(TimeSpan.FromSeconds(33));
        completed.Complete(Key(register), SipResponse.CreateFor(register, 200, "OK", "t1"), flow);
        clock.Advance(TimeSpan.FromSeconds(1));
        var other = Register("z9hG4bK-other");
        completed.Complete(Key(other), SipResponse.CreateFor(other, 200, "OK", "t1"), flow); // sweeps the first answer

        completed.Repeat(Key(register)).ShouldBeTrue();
        Encoding.UTF8.GetString(flow.Sent[^1]).ShouldStartWith("SIP/2.0 200 OK\r\n");
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
