using System.Text;
using Microsoft.Extensions.Time.Testing;
using Yunke.Sip.Messages;
using Yunke.Sip.Transactions;

namespace Yunke.Sip.Tests.Transactions;

/// <summary>The RFC 3261 17 state machines on a fake clock: every retransmission and timeout at its instant.</summary>
public class TransactionTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly List<(TimeSpan At, SipMessage Message)> sent = [];
    private readonly DateTimeOffset start;

    public TransactionTests() => start = clock.GetUtcNow();

    private void Send(SipMessage m) => sent.Add((clock.GetUtcNow() - start, m));

    private static SipRequest Request(string method) => (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(
        $"{method} sip:1001@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKabc\r\nRoute: <sip:p.example;lr>\r\n" +
        $"From: <sip:agent@yunke.example>;tag=f1\r\nTo: <sip:1001@yunke.example>\r\nCall-ID: c1\r\nCSeq: 7 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")).Message!;

    private static SipResponse Response(SipRequest request, int status) => SipResponse.CreateFor(request, status, "X", toTag: "t1");

    private void Advance(double seconds) => clock.Advance(TimeSpan.FromSeconds(seconds));

    private double[] SendTimes(string method) =>
        sent.Where(s => s.Message is SipRequest r && r.Method == method).Select(s => s.At.TotalSeconds).ToArray();

    [Fact]
    public void Invite_client_over_udp_retransmits_on_timer_a_and_gives_up_on_timer_b()
    {
        var invite = Request("INVITE");
        var tx = new InviteClientTransaction(invite, reliable: false, Send, clock);
        var timedOut = false;
        tx.TimedOut += _ => timedOut = true;
        tx.Start();
        for (var i = 0; i < 64; i++) Advance(0.5);
        SendTimes("INVITE").ShouldBe([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]);
        timedOut.ShouldBeTrue();
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Invite_client_stops_retransmitting_on_a_provisional_response()
    {
        var invite = Request("INVITE");
        var tx = new InviteClientTransaction(invite, false, Send, clock);
        var seen = new List<int>();
        tx.ResponseReceived += (_, r) => seen.Add(r.StatusCode);
        tx.Start();
        Advance(0.6);
        tx.ReceiveResponse(Response(invite, 180));
        Advance(10);
        SendTimes("INVITE").Length.ShouldBe(2);
        tx.State.ShouldBe(SipTransactionState.Proceeding);
        tx.ReceiveResponse(Response(invite, 200));
        seen.ShouldBe([180, 200]);
        tx.State.ShouldBe(SipTransactionState.Accepted);
        SendTimes("ACK").ShouldBeEmpty(); // the TU acknowledges a 2xx
    }

    [Fact]
    public void Invite_client_sends_the_tus_ack_again_for_each_retransmitted_2xx_until_timer_m()
    {
        var invite = Request("INVITE");
        var tx = new InviteClientTransaction(invite, false, Send, clock);
        var seen = new List<int>();
        tx.ResponseReceived += (_, r) => seen.Add(r.StatusCode);
        tx.Start();
        var ok = Response(invite, 200);
        tx.ReceiveResponse(ok);
        var ack = new SipRequest("ACK", SipUri.Parse("sip:1001@192.0.2.20"));
        ack.Headers.Add(SipHeaderNames.To, ok.Headers.Get(SipHeaderNames.To)!);
        ack.Headers.Add(SipHeaderNames.CSeq, "7 ACK");
        tx.Acknowledge(ack);
        SendTimes("ACK").ShouldBe([0]);

        // Our ACK was lost: the far end repeats its 2xx (RFC 3261 13.3.1.4), and gets the same ACK each time.
        Advance(0.5);
        tx.ReceiveResponse(ok);
        Advance(1);
        tx.ReceiveResponse(ok);
        SendTimes("ACK").ShouldBe([0, 0.5, 1.5]);
        sent.Where(s => s.Message is SipRequest { Method: "ACK" }).ShouldAllBe(s => ReferenceEquals(s.Message, ack));
        SendTimes("INVITE").Length.ShouldBe(1, "timer A stopped with the 2xx");

        // Another fork's 2xx is not ours to acknowledge with this dialog's ACK.
        tx.ReceiveResponse(SipResponse.CreateFor(invite, 200, "OK", toTag: "other-fork"));
        SendTimes("ACK").Length.ShouldBe(3);
        seen.ShouldBe([200, 200, 200, 200]);

        Advance(32);
        tx.State.ShouldBe(SipTransactionState.Terminated, "timer M: 64*T1 after the first 2xx");
    }

    [Fact]
    public void Invite_client_acknowledges_a_failure_and_lingers_for_timer_d()
    {
        var invite = Request("INVITE");
        var tx = new InviteClientTransaction(invite, false, Send, clock);
        var seen = 0;
        tx.ResponseReceived += (_, _) => seen++;
        tx.Start();
        var busy = Response(invite, 486);
        tx.ReceiveResponse(busy);
        tx.State.ShouldBe(SipTransactionState.Completed);
        var ack = sent.Select(s => s.Message).OfType<SipRequest>().Single(r => r.Method == "ACK");
        ack.Uri.ToString().ShouldBe(invite.Uri.ToString());
        ack.CSeq.ShouldBe(new CSeq(7, "ACK"));
        ack.To!.Tag.ShouldBe("t1");
        ack.Vias.ShouldHaveSingleItem().Branch.ShouldBe("z9hG4bKabc");
        ack.Headers.Get("Route").ShouldBe("<sip:p.example;lr>");

        tx.ReceiveResponse(busy); // retransmitted 486: ACK again, TU not bothered
        SendTimes("ACK").Length.ShouldBe(2);
        seen.ShouldBe(1);
        Advance(31.9);
        tx.State.ShouldBe(SipTransactionState.Completed);
        Advance(0.2);
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Reliable_transports_neither_retransmit_nor_linger()
    {
        var invite = Request("INVITE");
        var tx = new InviteClientTransaction(invite, reliable: true, Send, clock);
        tx.Start();
        Advance(10);
        SendTimes("INVITE").ShouldBe([0]);
        tx.ReceiveResponse(Response(invite, 404));
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Non_invite_client_timer_e_doubles_to_t2_then_timer_f_times_out()
    {
        var tx = new NonInviteClientTransaction(Request("REGISTER"), false, Send, clock);
        var timedOut = false;
        tx.TimedOut += _ => timedOut = true;
        tx.Start();
        for (var i = 0; i < 130; i++) Advance(0.25);
        SendTimes("REGISTER").ShouldBe([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]);
        timedOut.ShouldBeTrue();
    }

    [Fact]
    public void Non_invite_client_after_provisional_retransmits_every_t2_then_completes_and_waits_timer_k()
    {
        var register = Request("REGISTER");
        var tx = new NonInviteClientTransaction(register, false, Send, clock);
        tx.Start();
        Advance(0.5);
        tx.ReceiveResponse(Response(register, 100));
        for (var i = 0; i < 40; i++) Advance(0.25);
        SendTimes("REGISTER").ShouldBe([0, 0.5, 1.5, 5.5, 9.5]);
        tx.ReceiveResponse(Response(register, 200));
        tx.State.ShouldBe(SipTransactionState.Completed);
        Advance(4.9);
        tx.State.ShouldBe(SipTransactionState.Completed);
        Advance(0.2);
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Invite_server_retransmits_failure_on_timer_g_until_ack_then_waits_timer_i()
    {
        var invite = Request("INVITE");
        var tx = new InviteServerTransaction(invite, false, Send, clock);
        tx.SendResponse(Response(invite, 100));
        tx.ReceiveRequest(invite); // retransmitted INVITE: repeat the last response
        sent.Count(s => s.Message is SipResponse { StatusCode: 100 }).ShouldBe(2);

        tx.SendResponse(Response(invite, 486));
        for (var i = 0; i < 40; i++) Advance(0.25);
        sent.Where(s => s.Message is SipResponse { StatusCode: 486 }).Select(s => s.At.TotalSeconds).ShouldBe([0, 0.5, 1.5, 3.5, 7.5]);

        SipRequest? ack = null;
        tx.AckReceived += (_, a) => ack = a;
        tx.ReceiveRequest(InviteClientTransaction.CreateAck(invite, Response(invite, 486)));
        ack.ShouldNotBeNull();
        tx.State.ShouldBe(SipTransactionState.Confirmed);
        Advance(4.9);
        tx.State.ShouldBe(SipTransactionState.Confirmed);
        sent.Count(s => s.Message is SipResponse { StatusCode: 486 }).ShouldBe(5);
        Advance(0.2);
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Invite_server_without_ack_times_out_on_timer_h()
    {
        var invite = Request("INVITE");
        var tx = new InviteServerTransaction(invite, false, Send, clock);
        var timedOut = false;
        tx.TimedOut += _ => timedOut = true;
        tx.SendResponse(Response(invite, 480));
        Advance(31.9);
        timedOut.ShouldBeFalse();
        Advance(0.2);
        timedOut.ShouldBeTrue();
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Invite_server_2xx_ends_the_transaction()
    {
        var invite = Request("INVITE");
        var tx = new InviteServerTransaction(invite, false, Send, clock);
        tx.SendResponse(Response(invite, 200));
        tx.State.ShouldBe(SipTransactionState.Terminated);
    }

    [Fact]
    public void Non_invite_server_absorbs_retransmissions_and_lingers_for_timer_j()
    {
        var register = Request("REGISTER");
        var tx = new NonInviteServerTransaction(register, false, Send, clock);
        tx.ReceiveRequest(register);
        sent.ShouldBeEmpty(); // nothing to repeat while Trying
        tx.SendResponse(Response(register, 200));
        tx.ReceiveRequest(register);
        sent.Count.ShouldBe(2);
        sent.All(s => s.Message is SipResponse { StatusCode: 200 }).ShouldBeTrue();
        Advance(31.9);
        tx.State.ShouldBe(SipTransactionState.Completed);
        Advance(0.2);
        tx.State.ShouldBe(SipTransactionState.Terminated);
        tx.SendResponse(Response(register, 500));
        sent.Count.ShouldBe(2);
    }

    [Fact]
    public void Terminated_is_raised_once()
    {
        var register = Request("REGISTER");
        var tx = new NonInviteServerTransaction(register, reliable: true, Send, clock);
        var count = 0;
        tx.Terminated += _ => count++;
        tx.SendResponse(Response(register, 200));
        Advance(60);
        count.ShouldBe(1);
    }
}

public class TransactionKeyTests
{
    private static SipRequest Request(string method, string via, string cseq) => (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(
        $"{method} sip:1001@192.0.2.20 SIP/2.0\r\nVia: {via}\r\nFrom: <sip:a@b.example>;tag=f1\r\nTo: <sip:1001@b.example>\r\n" +
        $"Call-ID: c1\r\nCSeq: {cseq}\r\nContent-Length: 0\r\n\r\n")).Message!;

    [Fact]
    public void Ack_of_a_failure_matches_its_invite_and_cancel_does_not()
    {
        var invite = SipTransactionKey.ForServer(Request("INVITE", "SIP/2.0/UDP Host.example:5060;branch=z9hG4bK1", "1 INVITE"));
        SipTransactionKey.ForServer(Request("ACK", "SIP/2.0/UDP host.example:5060;branch=z9hG4bK1", "1 ACK")).ShouldBe(invite);
        SipTransactionKey.ForServer(Request("CANCEL", "SIP/2.0/UDP host.example:5060;branch=z9hG4bK1", "1 CANCEL")).ShouldNotBe(invite);
        SipTransactionKey.ForServer(Request("INVITE", "SIP/2.0/UDP host.example:5062;branch=z9hG4bK1", "1 INVITE")).ShouldNotBe(invite);
    }

    [Fact]
    public void Rfc2543_requests_have_no_key()
    {
        SipTransactionKey.ForServer(Request("INVITE", "SIP/2.0/UDP host.example", "1 INVITE")).ShouldBeNull();
    }

    [Fact]
    public void Responses_match_by_branch_and_cseq_method()
    {
        var request = Request("REGISTER", "SIP/2.0/UDP host.example;branch=z9hG4bK9", "3 REGISTER");
        var response = SipResponse.CreateFor(request, 200, "OK");
        SipTransactionKey.ForClient(response).ShouldBe(SipTransactionKey.ForClient(request));
    }
}

public class TransactionTableTests
{
    private readonly FakeTimeProvider clock = new();
    private readonly List<SipMessage> sent = [];

    private static SipRequest Request(string method, string branch, int cseq = 1) => (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(
        $"{method} sip:1001@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch={branch}\r\nFrom: <sip:a@b.example>;tag=f1\r\n" +
        $"To: <sip:1001@b.example>\r\nCall-ID: c1\r\nCSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n")).Message!;

    [Fact]
    public void Retransmissions_and_acks_reach_their_server_transaction_until_it_ends()
    {
        var table = new SipTransactionTable();
        var invite = Request("INVITE", "z9hG4bK1");
        table.DispatchRequest(invite).ShouldBeFalse(); // new: the TU makes a transaction
        var tx = new InviteServerTransaction(invite, false, sent.Add, clock);
        table.Add(tx).ShouldBeTrue();
        table.Add(new InviteServerTransaction(invite, false, sent.Add, clock)).ShouldBeFalse();

        tx.SendResponse(SipResponse.CreateFor(invite, 486, "Busy Here", "t9"));
        table.DispatchRequest(invite).ShouldBeTrue();
        sent.Count.ShouldBe(2);
        table.DispatchRequest(Request("ACK", "z9hG4bK1")).ShouldBeTrue();
        tx.State.ShouldBe(SipTransactionState.Confirmed);
        clock.Advance(TimeSpan.FromSeconds(6));
        table.Count.ShouldBe(0);
        table.DispatchRequest(invite).ShouldBeFalse();
    }

    [Fact]
    public void Responses_reach_their_client_transaction()
    {
        var table = new SipTransactionTable();
        var register = Request("REGISTER", "z9hG4bK2");
        var tx = new NonInviteClientTransaction(register, reliable: true, sent.Add, clock);
        var got = new List<int>();
        tx.ResponseReceived += (_, r) => got.Add(r.StatusCode);
        table.Add(tx).ShouldBeTrue();
        tx.Start();
        table.DispatchResponse(SipResponse.CreateFor(Request("REGISTER", "z9hG4bK3"), 200, "OK")).ShouldBeFalse();
        table.DispatchResponse(SipResponse.CreateFor(register, 401, "Unauthorized")).ShouldBeTrue();
        got.ShouldBe([401]);
        table.Count.ShouldBe(0); // reliable: timer K is zero
    }
}
