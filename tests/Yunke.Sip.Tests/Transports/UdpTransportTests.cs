using System.Text;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Tests.Transports;

/// <summary>The endpoint over real UDP sockets on loopback.</summary>
public sealed class UdpTransportTests : IAsyncLifetime
{
    private readonly TestSip.Core core = new();
    private SipEndpoint endpoint = null!;
    private SipUdpTransport udp = null!;
    private readonly UdpPeer phone = new();

    public Task InitializeAsync()
    {
        endpoint = new SipEndpoint(core.HandleAsync, limits: new SipTransportLimits { MaxDatagramBytes = 4000 });
        udp = endpoint.ListenUdp(TestSip.Loopback);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        phone.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Options_is_answered_by_the_core_with_received_and_rport_on_the_via()
    {
        phone.Send(TestSip.Options("udp-1", "UDP", phone.Port), udp.LocalEndPoint);

        var answer = await phone.ReceiveAsync();

        answer.ShouldNotBeNull();
        answer.Value.From.ShouldBe(udp.LocalEndPoint);
        var response = answer.Value.Message.ShouldBeOfType<SipResponse>();
        response.StatusCode.ShouldBe(200);
        response.CallId.ShouldBe("udp-1");
        response.Headers.Get("Allow").ShouldBe("OPTIONS, REGISTER");
        response.To!.Tag.ShouldNotBeNullOrEmpty();
        var via = response.Vias.Single();
        via.Rport.ShouldBe(phone.Port);
        via.Received.ShouldBe("127.0.0.1");
        var incoming = core.Requests.Single();
        incoming.Inbound.Kind.ShouldBe(SipTransportKind.Udp);
        incoming.Inbound.Source.Port.ShouldBe(phone.Port);
        incoming.Inbound.LocalEndPoint.ShouldBe(udp.LocalEndPoint);
        Encoding.UTF8.GetString(incoming.Inbound.Bytes.Span).ShouldStartWith("OPTIONS sip:yunke@127.0.0.1");
    }

    [Fact]
    public async Task A_retransmitted_request_is_answered_from_its_transaction_without_reaching_the_core_again()
    {
        var options = TestSip.Options("udp-retransmit", "UDP", phone.Port, branch: "z9hG4bKretransmit1");
        phone.Send(options, udp.LocalEndPoint);
        var first = await phone.ResponseForAsync("udp-retransmit");

        phone.Send(options, udp.LocalEndPoint);
        var second = await phone.ResponseForAsync("udp-retransmit");

        first.ShouldNotBeNull();
        second.ShouldNotBeNull();
        second.StatusCode.ShouldBe(200);
        second.To!.Tag.ShouldBe(first.To!.Tag);
        core.Handled.ShouldBe(1);
        endpoint.TransactionCount.ShouldBe(1); // timer J keeps it for 64*T1 over UDP
    }

    [Fact]
    public async Task Without_rport_the_response_goes_to_the_port_in_the_via()
    {
        using var other = new UdpPeer();
        var options = TestSip.Options("udp-via-port", "UDP", other.Port).Replace(";rport", "");
        phone.Send(options, udp.LocalEndPoint);

        var response = await other.ResponseForAsync("udp-via-port");

        response.ShouldNotBeNull();
        response.Vias.Single().Rport.ShouldBeNull();
        (await phone.ReceiveAsync(TimeSpan.FromMilliseconds(300))).ShouldBeNull();
    }

    [Fact]
    public async Task A_bad_request_is_answered_400_with_the_parsers_reason_and_a_bad_response_is_dropped()
    {
        var bad = TestSip.Options("udp-bad", "UDP", phone.Port).Replace("CSeq: 1 OPTIONS", "CSeq: x OPTIONS");
        phone.Send(bad, udp.LocalEndPoint);
        var refusal = await phone.ResponseForAsync("udp-bad");

        refusal.ShouldNotBeNull();
        refusal.StatusCode.ShouldBe(400);
        refusal.ReasonPhrase.ShouldBe(SipParser.Parse(Encoding.UTF8.GetBytes(bad)).Error);

        phone.Send("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nCall-ID: udp-badresponse\r\nCSeq: nope\r\n\r\n", udp.LocalEndPoint);
        phone.Send("\r\n\r\n", udp.LocalEndPoint);
        phone.Send(TestSip.Options("udp-after", "UDP", phone.Port), udp.LocalEndPoint);
        var next = await phone.ReceiveAsync();
        next.ShouldNotBeNull();
        next.Value.Message.CallId.ShouldBe("udp-after"); // nothing came back for the bad response or the keep-alive
        core.Handled.ShouldBe(1);
    }

    [Fact]
    public async Task A_datagram_over_the_cap_is_dropped_unread()
    {
        var padding = $"X-Padding: {new string('a', 4100)}\r\n";
        phone.Send(TestSip.Options("udp-big", "UDP", phone.Port, extraHeaders: padding), udp.LocalEndPoint);
        phone.Send(TestSip.Options("udp-small", "UDP", phone.Port), udp.LocalEndPoint);

        var next = await phone.ReceiveAsync();

        next.ShouldNotBeNull();
        next.Value.Message.CallId.ShouldBe("udp-small");
        core.Requests.Select(r => r.Request.CallId).ShouldBe(["udp-small"]);
    }

    [Fact]
    public async Task A_request_sent_by_the_endpoint_completes_with_the_peers_final_response()
    {
        var request = (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(
            TestSip.Options("udp-outgoing", "UDP", udp.LocalEndPoint.Port).Replace("rport;", ""))).Message!;
        var flow = await udp.GetFlowAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, phone.Port));

        var pending = endpoint.SendRequestAsync(request, flow);
        var received = await phone.ReceiveAsync();
        received.ShouldNotBeNull();
        var asked = received.Value.Message.ShouldBeOfType<SipRequest>();
        phone.Send(SipResponse.CreateFor(asked, 100, "Trying").ToBytes(), udp.LocalEndPoint);
        phone.Send(SipResponse.CreateFor(asked, 486, "Busy Here", toTag: "t9").ToBytes(), udp.LocalEndPoint);

        var final = await pending.WaitAsync(TestSip.Patience);
        final.StatusCode.ShouldBe(486);
        final.To!.Tag.ShouldBe("t9");
        core.Handled.ShouldBe(0);
    }
}
