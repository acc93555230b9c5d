using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Staff;

namespace Yunke.Server.Tests.Workbench;

/// <summary>The agent's state bar through the API (seed chapter 4 step 5) and its live events.</summary>
public abstract class WorkbenchApiTests(YunkeApp app)
{
    /// <summary>An agent-role employee bound to the tenant's first agent ID, signed in with its own password.</summary>
    private async Task<(Tenant Tenant, ApiClient Agent, string AgentId)> BoundAgentAsync()
    {
        var tenant = await app.NewTenantAsync();
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        var agentId = (await tenant.Admin.AgentsAsync())[0].Str("agentId");
        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/agents/{agentId}", new { employeeAccount = agent.Account });
        return (tenant, agent, agentId);
    }

    [Fact]
    public async Task An_agent_starts_signed_out_signs_in_idle_and_moves_between_busy_rest_and_idle()
    {
        var (_, agent, agentId) = await BoundAgentAsync();
        var state = await agent.GetAsync<JsonElement>("/api/v1/agent/state");
        state.Str("state").ShouldBe("signedOut");
        state.Str("agentId").ShouldBe(agentId);

        (await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in")).Str("state").ShouldBe("idle");
        (await agent.PostAsync<JsonElement>("/api/v1/agent/not-ready")).Str("state").ShouldBe("busy");
        var rest = await agent.PostAsync<JsonElement>("/api/v1/agent/rest", new { minutes = 15 });
        rest.Str("state").ShouldBe("rest");
        (DateTime.Parse(rest.Str("until")).ToUniversalTime() - DateTime.Parse(rest.Str("since")).ToUniversalTime()).TotalMinutes.ShouldBe(15, 0.1);
        (await agent.PostAsync<JsonElement>("/api/v1/agent/ready")).Str("state").ShouldBe("idle");
        (await agent.PostAsync<JsonElement>("/api/v1/agent/sign-out")).Str("state").ShouldBe("signedOut");
    }

    [Fact]
    public async Task Illegal_moves_and_bad_minutes_are_refused_and_change_nothing()
    {
        var (_, agent, _) = await BoundAgentAsync();
        await (await agent.SendPostAsync("/api/v1/agent/ready")).ShouldBeProblemAsync(409, "illegalAgentTransition");
        await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in");
        await (await agent.SendPostAsync("/api/v1/agent/sign-in")).ShouldBeProblemAsync(409, "illegalAgentTransition");
        await (await agent.SendPostAsync("/api/v1/agent/rest", new { minutes = 0 })).ShouldBeProblemAsync(400, "validation");
        (await agent.GetAsync<JsonElement>("/api/v1/agent/state")).Str("state").ShouldBe("idle");
    }

    [Fact]
    public async Task An_account_bound_to_no_agent_id_is_told_so()
    {
        var tenant = await app.NewTenantAsync();
        var unbound = await app.SignedInEmployeeAsync(tenant, "agent");
        await (await unbound.SendPostAsync("/api/v1/agent/sign-in")).ShouldBeProblemAsync(422, "notAnAgent");
    }

    [Fact]
    public async Task Supervisors_see_every_agent_and_other_tenants_see_none_of_them()
    {
        var (tenant, agent, agentId) = await BoundAgentAsync();
        await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in");
        var all = await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/states");
        all.EnumerateArray().Single(s => s.Str("agentId") == agentId).Str("state").ShouldBe("idle");
        all.EnumerateArray().Count(s => s.Str("state") == "signedOut").ShouldBe(all.GetArrayLength() - 1);

        var other = await app.NewTenantAsync();
        var theirs = await other.Admin.GetAsync<JsonElement>("/api/v1/agents/states");
        theirs.EnumerateArray().ShouldAllBe(s => s.Str("state") == "signedOut");
        ((int)(await agent.Http.GetAsync("/api/v1/agents/states")).StatusCode).ShouldBe(403);
    }

    [Fact]
    public async Task The_event_stream_sends_the_state_then_each_change()
    {
        var (_, agent, agentId) = await BoundAgentAsync();
        var client = app.Server.CreateWebSocketClient();
        using var socket = await client.ConnectAsync(new Uri(app.Server.BaseAddress, $"api/v1/agent/events?access_token={agent.Token}"), CancellationToken.None);

        var first = await socket.ReceiveJsonAsync();
        first.Str("type").ShouldBe("agentState");
        first.GetProperty("state").Str("state").ShouldBe("signedOut");

        await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in");
        var change = await socket.ReceiveJsonAsync();
        change.Str("type").ShouldBe("agentStateChanged");
        change.GetProperty("change").Str("agentId").ShouldBe(agentId);
        change.GetProperty("change").Str("from").ShouldBe("signedOut");
        change.GetProperty("change").Str("to").ShouldBe("idle");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Supervisors_are_pushed_every_agents_changes_of_their_tenant_only()
    {
        var (tenant, agent, agentId) = await BoundAgentAsync();
        var supervisor = await app.SignedInEmployeeAsync(tenant, "supervisor");
        var (other, otherAgent, otherAgentId) = await BoundAgentAsync();
        var otherSupervisor = await app.SignedInEmployeeAsync(other, "supervisor");
        var client = app.Server.CreateWebSocketClient();
        using var mine = await client.ConnectAsync(EventsUri("agents", supervisor), CancellationToken.None);
        using var theirs = await client.ConnectAsync(EventsUri("agents", otherSupervisor), CancellationToken.None);
        // The endpoint subscribes before it accepts the socket: from here on no change is missed.

        await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in");
        await agent.PostAsync<JsonElement>("/api/v1/agent/not-ready");
        await otherAgent.PostAsync<JsonElement>("/api/v1/agent/sign-in");

        foreach (var (from, to) in new[] { ("signedOut", "idle"), ("idle", "busy") })
        {
            var change = (await mine.ReceiveJsonAsync()).GetProperty("change");
            (change.Str("agentId"), change.Str("from"), change.Str("to")).ShouldBe((agentId, from, to));
        }
        // The other tenant's supervisor hears its own agent first and nothing of ours.
        var theirFirst = (await theirs.ReceiveJsonAsync()).GetProperty("change");
        (theirFirst.Str("agentId"), theirFirst.Str("to")).ShouldBe((otherAgentId, "idle"));
        theirFirst.Str("tenantId").ShouldBe(other.Id);

        // An agent may follow itself, not the others.
        await Should.ThrowAsync<Exception>(() => client.ConnectAsync(EventsUri("agents", agent), CancellationToken.None));
    }

    [Fact]
    public async Task The_agent_sees_its_own_softphone_and_whether_unified_authentication_lets_the_session_register_it()
    {
        var (tenant, agent, agentId) = await BoundAgentAsync();
        var phone = await agent.GetAsync<JsonElement>("/api/v1/agent/softphone");
        phone.Str("agentId").ShouldBe(agentId);
        phone.Str("number").ShouldBe((await tenant.Admin.GetAsync<JsonElement>($"/api/v1/agents/{agentId}")).Str("softphoneNumber"));
        phone.Strings("registrars").Length.ShouldBe(1);
        phone.GetProperty("unifiedAuthentication").GetBoolean().ShouldBeFalse();
        phone.ToString().ShouldNotContain("ha1", Case.Insensitive);

        await tenant.Admin.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "pool", unifiedAuthentication = true });
        phone = await agent.GetAsync<JsonElement>("/api/v1/agent/softphone");
        phone.GetProperty("unifiedAuthentication").GetBoolean().ShouldBeTrue();
        phone.Str("mode").ShouldBe("pool");
        phone.Strings("registrars").Length.ShouldBe(2);

        // Another tenant's setting is its own.
        var (_, otherAgent, _) = await BoundAgentAsync();
        (await otherAgent.GetAsync<JsonElement>("/api/v1/agent/softphone")).GetProperty("unifiedAuthentication").GetBoolean().ShouldBeFalse();
        var unbound = await app.SignedInEmployeeAsync(tenant, "agent");
        await (await unbound.Http.GetAsync("/api/v1/agent/softphone")).ShouldBeProblemAsync(422, "notAnAgent");
    }

    private Uri EventsUri(string path, ApiClient client) => new(app.Server.BaseAddress, $"api/v1/{path}/events?access_token={client.Token}");

    [Fact]
    public async Task The_event_stream_refuses_a_missing_token()
    {
        var client = app.Server.CreateWebSocketClient();
        await Should.ThrowAsync<Exception>(() => client.ConnectAsync(new Uri(app.Server.BaseAddress, "api/v1/agent/events"), CancellationToken.None));
    }
}

public sealed class WorkbenchApiTestsOnSqlite(SqliteApp app) : WorkbenchApiTests(app), IClassFixture<SqliteApp>;

public sealed class WorkbenchApiTestsOnPostgres(PostgresApp app) : WorkbenchApiTests(app), IClassFixture<PostgresApp>;
