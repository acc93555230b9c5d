using System.Net;
using System.Text;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Tests.Transports;

/// <summary>The endpoint over real TCP connections on loopback: framing, keep-alive, reuse and the limits that protect it.</summary>
public sealed class TcpTransportTests : IAsyncLifetime
{
    private readonly TestSip.Core core = new();
    private readonly List<TcpPeer> peers = [];
    private SipEndpoint endpoint = null!;
    private SipTcpTransport tcp = null!;

    public Task InitializeAsync() => Listen(new SipTransportLimits());

    private async Task Listen(SipTransportLimits limits)
    {
        if (endpoint is not null) await endpoint.DisposeAsync();
        endpoint = new SipEndpoint(core.HandleAsync, limits: limits);
        tcp = endpoint.ListenTcp(TestSip.Loopback);
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in peers) peer.Dispose();
        await endpoint.DisposeAsync();
    }

    private async Task<TcpPeer> Connect()
    {
        var peer = await TcpPeer.ConnectAsync(tcp.LocalEndPoint);
        peers.Add(peer);
        return peer;
    }

    private static string Options(TcpPeer phone, string callId) => TestSip.Options(callId, "TCP", phone.Port);

    [Fact]
    public async Task Options_round_trip_on_the_same_connection()
    {
        var phone = await Connect();
        await phone.SendAsync(Options(phone, "tcp-1"));

        var response = (await phone.ReceiveAsync()).ShouldBeOfType<SipResponse>();

        response.StatusCode.ShouldBe(200);
        response.CallId.ShouldBe("tcp-1");
        var incoming = core.Requests.Single();
        incoming.Inbound.Kind.ShouldBe(SipTransportKind.Tcp);
        incoming.Inbound.Flow.RemoteEndPoint.ShouldBe(phone.LocalEndPoint);
        incoming.Transaction!.IsReliable.ShouldBeTrue();
    }

    [Fact]
    public async Task A_message_split_across_packets_is_reassembled()
    {
        var phone = await Connect();
        var bytes = Encoding.UTF8.GetBytes(Options(phone, "tcp-split").Replace("Content-Length: 0", "Content-Length: 4") + "ping");
        // Cuts inside the start line, a header, the body.
        int[] cuts = [7, 60, bytes.Length - 6, bytes.Length - 2];
        var from = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            await phone.SendAsync(bytes[from..cut]);
            await Task.Delay(30);
            from = cut;
        }

        var response = (await phone.ReceiveAsync()).ShouldBeOfType<SipResponse>();

        response.CallId.ShouldBe("tcp-split");
        Encoding.UTF8.GetString(core.Requests.Single().Request.Body.Span).ShouldBe("ping");
    }

    [Fact]
    public async Task Several_messages_in_one_packet_are_each_answered_in_order()
    {
        var phone = await Connect();
        await phone.SendAsync(Options(phone, "tcp-a") + "\r\n" + Options(phone, "tcp-b") + Options(phone, "tcp-c"));

        var callIds = new List<string?>();
        for (var i = 0; i < 3; i++) callIds.Add((await phone.ReceiveAsync())?.CallId);

        callIds.Order().ShouldBe(["tcp-a", "tcp-b", "tcp-c"]);
        core.Handled.ShouldBe(3);
    }

    [Fact]
    public async Task A_double_crlf_ping_is_answered_with_a_crlf_pong()
    {
        var phone = await Connect();
        await phone.SendAsync("\r\n\r\n");

        var pong = await phone.ReadRawAsync();

        pong.ShouldBe("\r\n"u8.ToArray());
        await phone.SendAsync(Options(phone, "tcp-after-ping"));
        (await phone.ReceiveAsync())!.CallId.ShouldBe("tcp-after-ping");
    }

    [Fact]
    public async Task A_bad_request_is_answered_400_and_the_connection_stays_open()
    {
        var phone = await Connect();
        await phone.SendAsync(Options(phone, "tcp-bad").Replace("Max-Forwards: 70", "Max-Forwards: seventy"));
        var refusal = (await phone.ReceiveAsync()).ShouldBeOfType<SipResponse>();
        refusal.StatusCode.ShouldBe(400);

        await phone.SendAsync(Options(phone, "tcp-good"));
        (await phone.ReceiveAsync())!.CallId.ShouldBe("tcp-good");
    }

    [Fact]
    public async Task An_over_size_message_closes_only_its_own_connection()
    {
        await Listen(new SipTransportLimits { MaxHeaderBytes = 2048, MaxBodyBytes = 1024 });
        var bystander = await Connect();
        var bigHeaders = await Connect();
        var bigBody = await Connect();

        await bigHeaders.SendAsync(Options(bigHeaders, "tcp-big-headers"));
        (await bigHeaders.ReceiveAsync())!.CallId.ShouldBe("tcp-big-headers"); // a working connection until...

        await bigHeaders.SendAsync($"OPTIONS sip:yunke@127.0.0.1 SIP/2.0\r\nX-Padding: {new string('a', 3000)}");
        await bigBody.SendAsync(Options(bigBody, "tcp-big-body").Replace("Content-Length: 0", "Content-Length: 5000"));

        (await bigBody.ClosedByServerAsync(TestSip.Patience)).ShouldBeTrue();
        (await bigHeaders.ClosedByServerAsync(TestSip.Patience)).ShouldBeTrue();
        core.Requests.Select(r => r.Request.CallId).ShouldBe(["tcp-big-headers"]);
        await bystander.SendAsync(Options(bystander, "tcp-bystander"));
        (await bystander.ReceiveAsync())!.CallId.ShouldBe("tcp-bystander");
    }

    [Fact]
    public async Task A_slow_loris_connection_is_cut_while_another_keeps_working()
    {
        await Listen(new SipTransportLimits { MessageTimeout = TimeSpan.FromSeconds(1) });
        var loris = await Connect();
        var phone = await Connect();
        var bytes = Encoding.UTF8.GetBytes(Options(loris, "tcp-loris"));

        var closed = false;
        var started = DateTime.UtcNow;
        for (var i = 0; i < bytes.Length - 1 && DateTime.UtcNow - started < TimeSpan.FromSeconds(5); i++)
        {
            try
            {
                await loris.SendAsync(bytes[i..(i + 1)]); // a byte every 100 ms: active, yet never a message
            }
            catch (System.Net.Sockets.SocketException)
            {
                closed = true;
                break;
            }
            if (i % 5 == 0)
            {
                await phone.SendAsync(Options(phone, $"tcp-busy-{i}"));
                (await phone.ReceiveAsync())!.CallId.ShouldBe($"tcp-busy-{i}");
            }
            await Task.Delay(100);
            if (i > 15 && tcp.ConnectionCount == 1) { closed = true; break; }
        }

        closed.ShouldBeTrue();
        (await loris.ClosedByServerAsync(TestSip.Patience)).ShouldBeTrue();
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(5));
        core.Requests.ShouldNotContain(r => r.Request.CallId == "tcp-loris");
        await phone.SendAsync(Options(phone, "tcp-still-here"));
        (await phone.ReceiveAsync())!.CallId.ShouldBe("tcp-still-here");
    }

    [Fact]
    public async Task An_idle_connection_is_closed()
    {
        await Listen(new SipTransportLimits { IdleTimeout = TimeSpan.FromMilliseconds(500) });
        var phone = await Connect();
        await phone.SendAsync(Options(phone, "tcp-then-idle"));
        (await phone.ReceiveAsync())!.CallId.ShouldBe("tcp-then-idle");

        (await phone.ClosedByServerAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
    }

    [Fact]
    public async Task Connections_beyond_the_bound_are_refused_and_the_others_keep_working()
    {
        await Listen(new SipTransportLimits { MaxConnections = 2 });
        var first = await Connect();
        var second = await Connect();
        await first.SendAsync(Options(first, "tcp-first"));
        (await first.ReceiveAsync())!.CallId.ShouldBe("tcp-first");
        await second.SendAsync(Options(second, "tcp-second"));
        (await second.ReceiveAsync())!.CallId.ShouldBe("tcp-second");

        var third = await Connect();

        (await third.ClosedByServerAsync(TestSip.Patience)).ShouldBeTrue();
        tcp.ConnectionCount.ShouldBe(2);
        await first.SendAsync(Options(first, "tcp-first-again"));
        (await first.ReceiveAsync())!.CallId.ShouldBe("tcp-first-again");
    }

    [Fact]
    public async Task A_request_to_a_phone_reuses_the_connection_the_phone_opened()
    {
        var phone = await Connect();
        await phone.SendAsync(Options(phone, "tcp-register-like"));
        await phone.ReceiveAsync();

        var flow = await tcp.GetFlowAsync(phone.LocalEndPoint);
        var request = (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(TestSip.Options("tcp-to-phone", "TCP", tcp.LocalEndPoint.Port))).Message!;
        var pending = endpoint.SendRequestAsync(request, flow);
        var asked = (await phone.ReceiveAsync()).ShouldBeOfType<SipRequest>();
        await phone.SendAsync(SipResponse.CreateFor(asked, 200, "OK", toTag: "ph").ToBytes());

        (await pending.WaitAsync(TestSip.Patience)).StatusCode.ShouldBe(200);
        tcp.ConnectionCount.ShouldBe(1);
        flow.RemoteEndPoint.ShouldBe(phone.LocalEndPoint);
    }

    [Fact]
    public async Task A_request_to_a_new_peer_opens_a_connection()
    {
        await using var other = SipTcpTransport.Listen(TestSip.Loopback, inbound =>
        {
            var request = (SipRequest)inbound.Message;
            inbound.Flow.Send(SipResponse.CreateFor(request, 202, "Accepted", toTag: "x"));
        });
        var flow = await tcp.GetFlowAsync(other.LocalEndPoint);
        var request = (SipRequest)SipParser.Parse(Encoding.UTF8.GetBytes(TestSip.Options("tcp-out", "TCP", tcp.LocalEndPoint.Port))).Message!;

        var response = await endpoint.SendRequestAsync(request, flow).WaitAsync(TestSip.Patience);

        response.StatusCode.ShouldBe(202);
        (await tcp.GetFlowAsync(other.LocalEndPoint)).ShouldBeSameAs(flow);
        flow.RemoteEndPoint.ShouldBe(new IPEndPoint(IPAddress.Loopback, other.LocalEndPoint.Port));
    }
}
