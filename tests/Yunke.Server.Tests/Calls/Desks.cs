using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Staff;
using Yunke.Server.Tests.Telephony;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Sdp;

namespace Yunke.Server.Tests.Calls;

/// <summary>A tenant with one agent serving one queue that the tenant's number routes to, and the agent's registered phone.</summary>
public sealed record Desk(Tenant Tenant, ApiClient Agent, string AgentId, string PhoneNumber, SipPhone Phone, string QueueId) : IAsyncDisposable
{
    public async Task<string> StateAsync() => (await Agent.GetAsync<JsonElement>("/api/v1/agent/state")).Str("state");

    public Task EventuallyInAsync(string state) =>
        Softphones.EventuallyAsync(async () => await StateAsync() == state, $"agent {AgentId} {state}");

    /// <summary>Until the agent's call joins both sides (dialling out, the agent talks before the customer answers).</summary>
    public Task EventuallyConnectedAsync() => Softphones.EventuallyAsync(async () =>
        (await Agent.GetAsync<JsonElement>("/api/v1/agent/state")).TryGetProperty("call", out var call)
        && call.ValueKind == JsonValueKind.Object && call.GetProperty("connected").GetBoolean(), $"agent {AgentId} connected");

    public async Task<JsonElement> OnlyCallAsync()
    {
        JsonElement calls = default;
        await Softphones.EventuallyAsync(async () =>
            (calls = await Tenant.Admin.GetAsync<JsonElement>("/api/v1/calls")).GetProperty("total").GetInt32() == 1, "the call record");
        return calls.GetProperty("items")[0];
    }

    public ValueTask DisposeAsync() => Phone.DisposeAsync();
}

/// <summary>Setting up desks and calls through them, and raw RTP on loopback, for the call tests.</summary>
public static class Desks
{
    public static async Task<Desk> DeskAsync(YunkeApp server, int maxQueueLength = 5, int maxWaitSeconds = 60, int wrapUpSeconds = 30,
        bool autoAnswer = false, bool signIn = true, string transport = "UDP")
    {
        var tenant = await server.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var queue = await tenant.Admin.PostAsync<JsonElement>("/api/v1/skill-queues",
            Staffing.QueueBody(maxQueueLength: maxQueueLength, maxWaitSeconds: maxWaitSeconds, wrapUpSeconds: wrapUpSeconds));
        var agentId = (await tenant.Admin.AgentsAsync())[0].Str("agentId");
        var agent = await server.SignedInEmployeeAsync(tenant, "agent");
        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/agents/{agentId}",
            new { employeeAccount = agent.Account, skillQueueIds = new[] { queue.Id() }, autoAnswer });
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes",
            new { accessCode = tenant.Number, deviceType = "skillQueue", skillQueueId = queue.Id() });
        var number = await tenant.SoftphoneAsync(agentId);
        var phone = transport == "WS"
            ? await SipPhone.OpenWebSocketAsync(server.Server.CreateWebSocketClient(), server.Server.BaseAddress, server.SipPort)
            : await SipPhone.OpenAsync(transport, server.SipPort);
        (await phone.RegisterAsync(number, Softphones.Password)).StatusCode.ShouldBe(200);
        if (signIn) await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in");
        return new Desk(tenant, agent, agentId, number, phone, queue.Id());
    }

    /// <summary>The caller dials; the agent's phone rings, answers with its SDP and gets Yunke's ACK; the caller gets the 200 and ACKs it.</summary>
    public static async Task<(CallerCall Call, SipResponse Ok, SipRequest AgentInvite, SipResponse AgentOk)> ConnectAsync(Desk desk, SipPhone callerPhone,
        int port, int callerRtpPort = 40000, int agentRtpPort = 41000, string extraHeaders = "")
    {
        var call = CallerCall.Dial(callerPhone, port, desk.Tenant.Number, SipCalls.Sdp(callerPhone, callerRtpPort), extraHeaders: extraHeaders);
        (await call.ProvisionalAsync(183)).ShouldNotBeNull("the caller hears ringback over early media");
        var invite = (await desk.Phone.RequestAsync("INVITE")).ShouldNotBeNull("the agent's phone rings");
        var tag = SipEndpoint.NewToken();
        desk.Phone.Reply(invite, 180, "Ringing", tag);
        var agentOk = desk.Phone.Reply(invite, 200, "OK", tag, SipCalls.Sdp(desk.Phone, agentRtpPort));
        (await desk.Phone.RequestAsync("ACK", invite.CallId)).ShouldNotBeNull("Yunke acknowledges the phone's 200");
        var ok = (await call.FinalAsync()).ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200, ok.ToString());
        call.Ack(ok);
        return (call, ok, invite, agentOk);
    }

    public static int Port(UdpClient socket) => ((IPEndPoint)socket.Client.LocalEndPoint!).Port;

    public static IPEndPoint YunkeEndPoint(string sdp)
    {
        var session = SdpSession.Parse(sdp);
        return new IPEndPoint(IPAddress.Parse(session.ConnectionOf(session.Media[0])!.Address), session.Media[0].Port);
    }

    /// <summary>An RTP packet (RFC 3550 5.1) with 20 ms of one G.711 byte value.</summary>
    public static byte[] Rtp(int payloadType, ushort sequence, byte sample)
    {
        var packet = new byte[12 + 160];
        packet[0] = 0x80;
        packet[1] = (byte)payloadType;
        packet[2] = (byte)(sequence >> 8);
        packet[3] = (byte)sequence;
        var timestamp = (uint)sequence * 160;
        packet[4] = (byte)(timestamp >> 24); packet[5] = (byte)(timestamp >> 16); packet[6] = (byte)(timestamp >> 8); packet[7] = (byte)timestamp;
        packet[8] = 0x12; packet[9] = 0x34; packet[10] = 0x56; packet[11] = (byte)payloadType;
        packet.AsSpan(12).Fill(sample);
        return packet;
    }

    public static async Task<byte[]?> ReceiveRtpAsync(UdpClient socket, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(5));
        try { return (await socket.ReceiveAsync(timeout.Token)).Buffer; }
        catch (OperationCanceledException) { return null; }
    }

    /// <summary>Every RTP packet that arrives within the time given.</summary>
    public static async Task<List<byte[]>> CollectRtpAsync(UdpClient socket, TimeSpan during)
    {
        using var timeout = new CancellationTokenSource(during);
        return await CollectRtpAsync(socket, timeout.Token);
    }

    /// <summary>
    /// The first <paramref name="count"/> RTP packets, or fewer if they take longer than <paramref name="within"/>.
    /// Counting packets rather than time keeps a test meaningful on a busy machine, where the sender's timer
    /// (and our reading) may run late and skip frames.
    /// </summary>
    public static async Task<List<byte[]>> CollectRtpAsync(UdpClient socket, int count, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var packets = new List<byte[]>(count);
        try
        {
            while (packets.Count < count) packets.Add((await socket.ReceiveAsync(timeout.Token)).Buffer);
        }
        catch (OperationCanceledException) { }
        return packets;
    }

    /// <summary>Every RTP packet that arrives until the token is cancelled.</summary>
    public static async Task<List<byte[]>> CollectRtpAsync(UdpClient socket, CancellationToken until)
    {
        var packets = new List<byte[]>();
        try
        {
            while (true) packets.Add((await socket.ReceiveAsync(until)).Buffer);
        }
        catch (OperationCanceledException) { }
        return packets;
    }

    /// <summary>Empties what arrived so far.</summary>
    public static async Task DrainAsync(UdpClient socket)
    {
        while (socket.Available > 0) await socket.ReceiveAsync();
    }
}
