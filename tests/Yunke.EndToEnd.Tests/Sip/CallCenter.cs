using System.Text.Json;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>
/// A fresh tenant set up through the REST API for calls (seed chapter 4): a skill queue, its number routed
/// to the queue, and agents bound to staff accounts serving it, each with a softphone password. The
/// tenant admin reads agent states and call records; each agent has its own signed-in workbench client.
/// </summary>
public sealed class CallCenter : IDisposable
{
    public const string SoftphonePassword = "Soft#Phone2026";

    private readonly YunkeServer server;
    private readonly HttpClient admin;

    private CallCenter(YunkeServer server, HttpClient admin, (string Account, string Password) adminSignIn, string number, string queueId,
        IReadOnlyList<Agent> agents)
    {
        this.server = server;
        this.admin = admin;
        AdminSignIn = adminSignIn;
        Number = number;
        QueueId = queueId;
        Agents = agents;
    }

    /// <summary>The tenant admin's account and password, for the console.</summary>
    public (string Account, string Password) AdminSignIn { get; }

    /// <summary>The instance's number: the access code callers dial.</summary>
    public string Number { get; }
    public string QueueId { get; }
    public IReadOnlyList<Agent> Agents { get; }

    /// <summary>An agent of the tenant: its ID, softphone number and workbench (signed in as its bound staff account).</summary>
    public sealed record Agent(string AgentId, string Number, HttpClient Workbench, string Account)
    {
        public const string Password = "Agent#Pass2026";
        public SipUser Phone => new(Number, SoftphonePassword);
        public Task<JsonElement> ActAsync(string action) => ApiSteps.SendAsync(Workbench, HttpMethod.Post, $"/api/v1/agent/{action}");
    }

    public static async Task<CallCenter> OpenAsync(YunkeServer server, int agents = 1, int maxWaitSeconds = 30, int wrapUpSeconds = 0,
        bool autoAnswer = false, int autoAnswerDelaySeconds = 2)
    {
        var api = new ApiSteps(server);
        var tenant = await api.TenantWithInstanceAsync(voiceSeats: agents);
        var admin = await api.SignedInAsync(tenant.Account, tenant.Password);
        var queue = await ApiSteps.SendAsync(admin, HttpMethod.Post, "/api/v1/skill-queues", new
        {
            name = $"热线{Guid.NewGuid():N}"[..10], mediaType = "voice", maxQueueLength = 10, maxWaitSeconds, wrapUpSeconds,
        });
        var queueId = queue.Str("id");
        await ApiSteps.SendAsync(admin, HttpMethod.Post, "/api/v1/called-routes",
            new { accessCode = tenant.Number, deviceType = "skillQueue", skillQueueId = queueId });

        var all = (await ApiSteps.SendAsync(admin, HttpMethod.Get, "/api/v1/agents?pageSize=200")).GetProperty("items").EnumerateArray().ToList();
        var bound = new List<Agent>();
        foreach (var agent in all.Take(agents))
        {
            var agentId = agent.Str("agentId");
            await ApiSteps.SendAsync(admin, HttpMethod.Post, $"/api/v1/agents/{agentId}/softphone/password", new { password = SoftphonePassword });
            var account = $"agent{Guid.NewGuid():N}"[..16];
            const string firstPassword = "First#Pass2026", password = Agent.Password;
            await ApiSteps.SendAsync(admin, HttpMethod.Post, "/api/v1/employees", new
            {
                account, name = "李四", gender = "female", department = "客服一部", phone = "13900139000", email = $"{account}@example.cn",
                password = firstPassword, roles = new[] { "agent" },
            });
            await ApiSteps.SendAsync(admin, HttpMethod.Put, $"/api/v1/agents/{agentId}",
                new { employeeAccount = account, skillQueueIds = new[] { queueId }, autoAnswer, autoAnswerDelaySeconds });
            using (var first = await api.SignedInAsync(account, firstPassword))
                await ApiSteps.SendAsync(first, HttpMethod.Post, "/api/v1/auth/password", new { currentPassword = firstPassword, newPassword = password });
            bound.Add(new Agent(agentId, agent.Str("softphoneNumber"), await api.SignedInAsync(account, password), account));
        }
        return new CallCenter(server, admin, (tenant.Account, tenant.Password), tenant.Number, queueId, bound);
    }

    /// <summary>Registers the agent's phone from <paramref name="localPort"/> (sipp, REGISTER with digest), where its phone scenario then listens.</summary>
    public async Task RegisterAsync(Agent agent, int localPort)
    {
        var run = await Sipp.RunAsync("register.xml", server.SipPort, "udp", [agent.Phone], localPort);
        run.ExitCode.ShouldBe(0, run.ToString());
    }

    /// <summary>The agent's live state as the supervisors' view shows it: signedOut, idle, busy, ringing, talking, wrapUp...</summary>
    public async Task<string> StateAsync(Agent agent)
    {
        var states = await ApiSteps.SendAsync(admin, HttpMethod.Get, "/api/v1/agents/states");
        return states.EnumerateArray().Single(s => s.Str("agentId") == agent.AgentId).Str("state");
    }

    /// <summary>Waits (up to <paramref name="seconds"/>) until the agent is in one of the states; fails with the last one seen.</summary>
    public async Task<string> EventuallyAsync(Agent agent, params string[] states) => await EventuallyAsync(agent, 15, states);

    public async Task<string> EventuallyAsync(Agent agent, int seconds, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var state = await StateAsync(agent);
            if (states.Contains(state)) return state;
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"Agent {agent.AgentId} did not reach {string.Join(" or ", states)} within {seconds} s: it is {state}.");
            await Task.Delay(100);
        }
    }

    /// <summary>The tenant's call records once there are <paramref name="count"/> of them (written when a call ends), newest first.</summary>
    public async Task<List<JsonElement>> CallsAsync(int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var calls = await ApiSteps.SendAsync(admin, HttpMethod.Get, "/api/v1/calls");
            var items = calls.GetProperty("items").EnumerateArray().ToList();
            if (items.Count >= count) return items;
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"Expected {count} call records within 15 s; there are {items.Count}: {calls}");
            await Task.Delay(100);
        }
    }

    /// <summary>GET /api/v1/calls/{id}/recording: the WAV's bytes.</summary>
    public async Task<(string? ContentType, byte[] Wav)> RecordingAsync(string callId)
    {
        using var response = await admin.GetAsync($"/api/v1/calls/{callId}/recording");
        var body = await response.Content.ReadAsByteArrayAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        return (response.Content.Headers.ContentType?.MediaType, body);
    }

    public void Dispose()
    {
        admin.Dispose();
        foreach (var agent in Agents) agent.Workbench.Dispose();
    }
}
