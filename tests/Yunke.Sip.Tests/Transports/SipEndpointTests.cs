using System.Text;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Transactions;

namespace Yunke.Sip.Tests.Transports;

/// <summary>The endpoint's share of RFC 3261 17 over UDP: INVITE handling, ACKs, and a failing core.</summary>
public sealed class SipEndpointTests : IAsyncLifetime
{
    [Fact]
    public void Tokens_are_64_random_bits_never_repeated_across_threads_and_refills()
    {
        var tokens = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 5000; i++) tokens.Add(SipEndpoint.NewToken()); // 78 refills of each thread's pool
        });
        tokens.Count.ShouldBe(20_000);
        tokens.Distinct().Count().ShouldBe(20_000);
        tokens.ShouldAllBe(t => t.Length == 16 && t.All(Uri.IsHexDigit));
        // Random bits: every hex digit shows up at each position about as often (1250 of 20,000 expected).
        for (var position = 0; position < 16; position++)
            tokens.GroupBy(t => t[position]).Min(g => g.Count()).ShouldBeGreaterThan(1000);
    }

    private readonly List<SipIncomingRequest> seen = [];
    private Func<SipIncomingRequest, Task> core = _ => Task.CompletedTask;
    private SipEndpoint endpoint = null!;
    private System.Net.IPEndPoint server = null!;
    private readonly UdpPeer phone = new();

    public Task InitializeAsync()
    {
        endpoint = new SipEndpoint(incoming =>
        {
            lock (seen) seen.Add(incoming);
            return core(incoming);
        });
        server = endpoint.ListenUdp(TestSip.Loopback).LocalEndPoint;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        phone.Dispose();
        await endpoint.DisposeAsync();
    }

    private string Invite(string callId, string branch) =>
        $"INVITE sip:2002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{phone.Port};rport;branch={branch}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:1001@127.0.0.1>;tag=c1\r\nTo: <sip:2002@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public async Task An_invite_gets_100_trying_at_once_and_the_ack_for_a_failure_stays_in_the_transaction()
    {
        var answer = new TaskCompletionSource();
        core = async incoming =>
        {
            await answer.Task;
            incoming.Respond(486, "Busy Here");
        };
        phone.Send(Invite("inv-1", "z9hG4bKinv1"), server);

        var trying = await phone.ResponseForAsync("inv-1");
        trying!.StatusCode.ShouldBe(100);
        answer.SetResult();
        var busy = await phone.ResponseForAsync("inv-1");
        busy!.StatusCode.ShouldBe(486);

        var ack = InviteClientTransaction.CreateAck((SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(Invite("inv-1", "z9hG4bKinv1"))).Message!, busy);
        phone.Send(ack.ToBytes(), server);

        var transaction = seen.Single().Transaction!;
        for (var i = 0; i < 100 && transaction.State != SipTransactionState.Confirmed; i++) await Task.Delay(50);
        transaction.State.ShouldBe(SipTransactionState.Confirmed);
        while (await phone.ReceiveAsync(TimeSpan.FromMilliseconds(200)) is not null) { } // any sent before the ACK landed
        // Without the ACK the 486 would come again every T1..T2 (500 ms, 1 s, 2 s...).
        (await phone.ResponseForAsync("inv-1", TimeSpan.FromMilliseconds(1200))).ShouldBeNull();
        seen.Select(s => s.Request.Method).ShouldBe(["INVITE"]);
    }

    [Fact]
    public async Task An_ack_with_no_transaction_goes_to_the_core_without_one()
    {
        core = incoming =>
        {
            if (incoming.Request.Method == "OPTIONS") incoming.Respond(200, "OK");
            return Task.CompletedTask;
        };
        var ack = Invite("ack-2xx", "z9hG4bKack2xx").Replace("INVITE sip", "ACK sip").Replace("1 INVITE", "1 ACK");
        phone.Send(ack, server);
        phone.Send(TestSip.Options("after-ack", "UDP", phone.Port), server);

        (await phone.ResponseForAsync("after-ack")).ShouldNotBeNull();
        SipIncomingRequest received;
        lock (seen) received = seen.Single(s => s.Request.Method == "ACK");
        received.Transaction.ShouldBeNull();
    }

    [Fact]
    public async Task A_core_that_throws_answers_500_and_the_endpoint_goes_on()
    {
        core = incoming => incoming.Request.CallId == "boom"
            ? throw new InvalidOperationException("core bug")
            : Task.Run(() => incoming.Respond(200, "OK"));

        phone.Send(TestSip.Options("boom", "UDP", phone.Port), server);
        (await phone.ResponseForAsync("boom"))!.StatusCode.ShouldBe(500);

        phone.Send(TestSip.Options("fine", "UDP", phone.Port), server);
        (await phone.ResponseForAsync("fine"))!.StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task A_request_without_the_branch_cookie_is_answered_statelessly()
    {
        core = incoming =>
        {
            incoming.Respond(200, "OK");
            return Task.CompletedTask;
        };
        var options = TestSip.Options("rfc2543", "UDP", phone.Port, branch: "old-style");

        phone.Send(options, server);
        (await phone.ResponseForAsync("rfc2543"))!.StatusCode.ShouldBe(200);
        phone.Send(options, server);
        (await phone.ResponseForAsync("rfc2543"))!.StatusCode.ShouldBe(200);

        seen.Count.ShouldBe(2); // nothing to match the repeat by, so the core sees it again
        seen.ShouldAllBe(s => s.Transaction != null);
        endpoint.TransactionCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_2xx_repeated_because_our_ack_was_lost_gets_the_same_ack_again()
    {
        var transport = endpoint.Transports.OfType<Yunke.Sip.Transports.SipUdpTransport>().Single();
        var flow = await transport.GetFlowAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, phone.Port));
        var invite = (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(
            $"INVITE sip:2002@127.0.0.1:{phone.Port} SIP/2.0\r\nVia: SIP/2.0/UDP {server};branch={SipEndpoint.NewBranch()}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:yunke@127.0.0.1>;tag=y1\r\nTo: <sip:2002@127.0.0.1>\r\nCall-ID: uac-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")).Message!;
        var answered = endpoint.SendRequestAsync(invite, flow);

        var received = (SipRequest)(await phone.ReceiveAsync()).ShouldNotBeNull().Message;
        var ok = SipResponse.CreateFor(received, 200, "OK", toTag: "p1");
        phone.Send(ok.ToBytes(), server);
        (await answered).StatusCode.ShouldBe(200);
        var ack = new SipRequest("ACK", invite.Uri);
        ack.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/UDP {server};branch={SipEndpoint.NewBranch()}");
        ack.Headers.Add(SipHeaderNames.From, invite.Headers.Get(SipHeaderNames.From)!);
        ack.Headers.Add(SipHeaderNames.To, ok.Headers.Get(SipHeaderNames.To)!);
        ack.Headers.Add(SipHeaderNames.CallId, "uac-1");
        ack.Headers.Add(SipHeaderNames.CSeq, "1 ACK");
        endpoint.Acknowledge(ok, ack, flow);
        var first = (SipRequest)(await phone.ReceiveAsync()).ShouldNotBeNull().Message;
        first.Method.ShouldBe("ACK");

        // The phone never saw that ACK and repeats its 200: the endpoint sends the very same ACK again (RFC 3261 13.2.2.4).
        phone.Send(ok.ToBytes(), server);
        var again = (SipRequest)(await phone.ReceiveAsync()).ShouldNotBeNull().Message;
        again.Method.ShouldBe("ACK");
        again.Vias[0].Branch.ShouldBe(first.Vias[0].Branch);
        again.CSeq!.Value.Number.ShouldBe(1u);
    }
}
