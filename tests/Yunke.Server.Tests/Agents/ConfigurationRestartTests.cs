using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Agents;

/// <summary>Agent bindings, queues, softphones and routes are configuration, and agents' states are live data: both survive a restart of the server.</summary>
public sealed class ConfigurationRestartTests
{
    [Fact]
    public async Task Configuration_and_agent_states_survive_a_restart_on_the_same_data_folder()
    {
        string dataDir, queueId, routeId, number, employee;
        JsonElement agentBefore, stateBefore;
        await using (var first = new SqliteApp { KeepData = true })
        {
            dataDir = first.DataDir;
            var tenant = await first.NewTenantAsync(voice: 1, video: 1, multimedia: 0);
            employee = await first.AddEmployeeAsync(tenant);
            number = tenant.Number;
            queueId = (await tenant.Admin.NewQueueAsync("voiceClickToCall", "回访")).Id();
            var defaults = (await tenant.Admin.AgentsAsync())[0].Strings("skillQueueIds");
            agentBefore = await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new
            {
                employeeAccount = employee,
                skillQueueIds = defaults.Append(queueId).ToArray(),
                autoAnswer = true,
                autoAnswerDelaySeconds = 3,
            });
            await tenant.Admin.PostAsync<JsonElement>("/api/v1/agents/1001/softphone/password", new { password = "Restart#1x" });
            await tenant.Admin.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "pool", unifiedAuthentication = true });
            routeId = (await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes",
                new { accessCode = number + "1", deviceType = "skillQueue", skillQueueId = queueId })).Id();

            // The agent signs in and goes busy; the owner writes behind and saves the rest as the server stops.
            var signedIn = await first.LoginAsync(employee, Staffing.EmployeePassword);
            await signedIn.PostAsync<JsonElement>("/api/v1/agent/sign-in");
            stateBefore = await signedIn.PostAsync<JsonElement>("/api/v1/agent/not-ready");
        }

        await using var second = new SqliteApp { DataDir = dataDir };
        var agentClient = await second.LoginAsync(employee, Staffing.EmployeePassword);
        (await agentClient.GetAsync<JsonElement>("/api/v1/agent/me")).Str("agentId").ShouldBe("1001");
        var stateAfter = await agentClient.GetAsync<JsonElement>("/api/v1/agent/state");
        stateAfter.Str("state").ShouldBe("busy");
        DateTime.Parse(stateAfter.Str("since")).ShouldBe(DateTime.Parse(stateBefore.Str("since")));
        // Still signed in: it may go idle without signing in again.
        (await agentClient.PostAsync<JsonElement>("/api/v1/agent/ready")).Str("state").ShouldBe("idle");

        var instanceAdmin = await AdminOfAsync(second);
        var agentAfter = await instanceAdmin.GetAsync<JsonElement>("/api/v1/agents/1001");
        agentAfter.ToString().ShouldBe(agentBefore.ToString());
        (await instanceAdmin.AgentsAsync()).Count.ShouldBe(2);
        (await instanceAdmin.GetAsync<JsonElement>($"/api/v1/skill-queues/{queueId}")).Str("name").ShouldBe("回访");
        var phone = await instanceAdmin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone");
        phone.GetProperty("passwordSet").GetBoolean().ShouldBeTrue();
        phone.Str("mode").ShouldBe("pool");
        phone.GetProperty("registrars").GetArrayLength().ShouldBe(2);
        (await instanceAdmin.GetAsync<JsonElement>($"/api/v1/called-routes/{routeId}")).Str("accessCode").ShouldBe(number + "1");
    }

    /// <summary>The tenant admin's name was generated; find it in the audit log through the operator, then sign in.</summary>
    private static async Task<ApiClient> AdminOfAsync(SqliteApp app)
    {
        var op = await app.OperatorAsync();
        var created = (await op.GetAsync<JsonElement>("/api/v1/audit?action=account.tenantAdminCreated")).Items().Single();
        return await app.LoginAsync(created.Str("target"), Tenancy.AdminPassword);
    }
}
