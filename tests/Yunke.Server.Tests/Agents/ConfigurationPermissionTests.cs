using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Common;
using Yunke.Core.SkillQueues;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Staff;

namespace Yunke.Server.Tests.Agents;

/// <summary>
/// Agents, skill queues and called routes are guarded by named permissions (agents.manage, skillQueues.manage,
/// routing.manage), not by the tenantAdmin role: a custom role holding one may do exactly that, an agent none of it.
/// </summary>
public abstract class ConfigurationPermissionTests(YunkeApp app)
{
    /// <summary>A custom role with these permissions, and an employee holding it, signed in.</summary>
    private async Task<ApiClient> HolderOfAsync(Tenant tenant, params string[] permissions)
    {
        var code = $"r{Guid.NewGuid():N}"[..12];
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/roles", new { code, name = string.Join("+", permissions), permissions });
        return await app.SignedInEmployeeAsync(tenant, code);
    }

    private static async Task<HttpStatusCode> StatusAsync(ApiClient client, HttpMethod method, string path, object? body = null) =>
        (await client.SendAsync(method, path, body)).StatusCode;

    [Fact]
    public async Task A_custom_role_with_agents_manage_binds_agents_and_resets_softphones_but_manages_no_queues_or_routes()
    {
        var tenant = await app.NewTenantAsync();
        var manager = await HolderOfAsync(tenant, "agents.manage");
        var employee = await app.AddEmployeeAsync(tenant);

        (await manager.AgentsAsync()).Count.ShouldBe(4);
        var queues = await manager.QueuesAsync(); // the binding dialog offers the queues
        var voiceQueue = queues.First(q => q.Str("mediaType") == "voice").Id();
        var bound = await manager.PutAsync<JsonElement>("/api/v1/agents/1001", new { employeeAccount = employee, skillQueueIds = new[] { voiceQueue } });
        bound.Str("employeeAccount").ShouldBe(employee);
        (await manager.PostAsync<JsonElement>("/api/v1/agents/1001/softphone/password", new { password = "Perm#Phone1" }))
            .GetProperty("passwordSet").GetBoolean().ShouldBeTrue();
        (await manager.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "pool" })).Str("mode").ShouldBe("pool");

        (await StatusAsync(manager, HttpMethod.Post, "/api/v1/skill-queues", Staffing.QueueBody())).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(manager, HttpMethod.Delete, $"/api/v1/skill-queues/{voiceQueue}")).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(manager, HttpMethod.Get, "/api/v1/called-routes")).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(manager, HttpMethod.Post, "/api/v1/called-routes",
            new { accessCode = tenant.Number, deviceType = "skillQueue", skillQueueId = voiceQueue })).ShouldBe(HttpStatusCode.Forbidden);

        // What the manager did is in the tenant's audit log under its own name.
        var audit = await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=agent.configured");
        audit.Items().Single().Str("actor").ShouldBe(manager.Account);
    }

    [Fact]
    public async Task A_custom_role_with_skill_queues_manage_manages_queues_only()
    {
        var tenant = await app.NewTenantAsync();
        var manager = await HolderOfAsync(tenant, "skillQueues.manage");

        var queue = await manager.NewQueueAsync("video", "视频咨询");
        (await manager.PutAsync<JsonElement>($"/api/v1/skill-queues/{queue.Id()}", Staffing.QueueBody("video", "视频咨询2"))).Str("name").ShouldBe("视频咨询2");
        (await manager.DeleteAsync($"/api/v1/skill-queues/{queue.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await StatusAsync(manager, HttpMethod.Get, "/api/v1/agents")).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(manager, HttpMethod.Get, "/api/v1/softphone-settings")).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(manager, HttpMethod.Get, "/api/v1/called-routes")).ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_custom_role_with_routing_manage_routes_numbers_to_queues_it_may_read_but_not_change()
    {
        var tenant = await app.NewTenantAsync();
        var router = await HolderOfAsync(tenant, "routing.manage");

        var queue = (await router.QueuesAsync()).First(q => q.Str("mediaType") == "voice");
        (await router.GetAsync<JsonElement>($"/api/v1/skill-queues/{queue.Id()}")).Str("name").ShouldBe(queue.Str("name"));
        var route = await router.PostAsync<JsonElement>("/api/v1/called-routes",
            new { accessCode = tenant.Number, deviceType = "skillQueue", skillQueueId = queue.Id() });
        (await router.GetAsync<JsonElement>("/api/v1/called-routes")).GetProperty("total").GetInt32().ShouldBe(1);
        (await router.DeleteAsync($"/api/v1/called-routes/{route.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await StatusAsync(router, HttpMethod.Post, "/api/v1/skill-queues", Staffing.QueueBody())).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(router, HttpMethod.Put, $"/api/v1/skill-queues/{queue.Id()}", Staffing.QueueBody())).ShouldBe(HttpStatusCode.Forbidden);
        (await StatusAsync(router, HttpMethod.Get, "/api/v1/agents")).ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_agent_reads_and_changes_none_of_the_configuration()
    {
        var tenant = await app.NewTenantAsync();
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        var queue = (await tenant.Admin.QueuesAsync())[0].Id();
        var refused = new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/api/v1/agents", null),
            (HttpMethod.Get, "/api/v1/agents/1001", null),
            (HttpMethod.Put, "/api/v1/agents/1001", new { employeeAccount = agent.Account }),
            (HttpMethod.Get, "/api/v1/agents/1001/softphone", null),
            (HttpMethod.Post, "/api/v1/agents/1001/softphone/password", new { password = "Agent#Phone1" }),
            (HttpMethod.Get, "/api/v1/softphone-settings", null),
            (HttpMethod.Put, "/api/v1/softphone-settings", new { mode = "pool" }),
            (HttpMethod.Get, "/api/v1/skill-queues", null),
            (HttpMethod.Get, $"/api/v1/skill-queues/{queue}", null),
            (HttpMethod.Post, "/api/v1/skill-queues", Staffing.QueueBody()),
            (HttpMethod.Delete, $"/api/v1/skill-queues/{queue}", null),
            (HttpMethod.Get, "/api/v1/called-routes", null),
            (HttpMethod.Post, "/api/v1/called-routes", new { accessCode = tenant.Number, deviceType = "skillQueue", skillQueueId = queue }),
        };
        foreach (var (method, path, body) in refused)
            await (await agent.SendAsync(method, path, body)).ShouldBeProblemAsync(403);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001")).GetProperty("employeeAccount").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task The_services_check_the_same_permissions_as_the_api()
    {
        var tenant = await app.NewTenantAsync();
        var agent = await ActorOfAsync((await app.SignedInEmployeeAsync(tenant, "agent")).Account);
        var manager = await ActorOfAsync((await HolderOfAsync(tenant, "agents.manage", "routing.manage")).Account);
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var firstPage = new PageRequest(1, 20);

        (await services.GetRequiredService<AgentService>().ListAsync(manager, firstPage)).Total.ShouldBe(4);
        (await services.GetRequiredService<CalledRouteService>().ListAsync(manager, firstPage)).Total.ShouldBe(0);
        (await services.GetRequiredService<SkillQueueService>().ListAsync(manager, firstPage)).Total.ShouldBeGreaterThan(0);
        await Should.ThrowAsync<YunkeException>(() => services.GetRequiredService<SkillQueueService>()
            .CreateAsync(manager, new SkillQueueService.QueueInput("x", MediaType.Voice, 10, 60, 5)));

        foreach (var call in new Func<Task>[]
        {
            () => services.GetRequiredService<AgentService>().ListAsync(agent, firstPage),
            () => services.GetRequiredService<AgentService>().UpdateAsync(agent, "1001", new AgentService.AgentInput(agent.Account, null, null, null)),
            () => services.GetRequiredService<SoftphoneService>().SetPasswordAsync(agent, "1001", "Agent#Phone1"),
            () => services.GetRequiredService<SoftphoneService>().UpdateSettingsAsync(agent, new SoftphoneService.SettingsInput(SoftphoneMode.Pool, true)),
            () => services.GetRequiredService<SkillQueueService>().ListAsync(agent, firstPage),
            () => services.GetRequiredService<CalledRouteService>().ListAsync(agent, firstPage),
        })
            (await Should.ThrowAsync<YunkeException>(call)).Code.ShouldBe("forbidden");
    }

    [Fact]
    public async Task Taking_the_permission_from_the_role_refuses_its_holders_at_their_next_request()
    {
        var tenant = await app.NewTenantAsync();
        var code = $"r{Guid.NewGuid():N}"[..12];
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/roles", new { code, name = "routing", permissions = new[] { "routing.manage" } });
        var router = await app.SignedInEmployeeAsync(tenant, code);
        (await router.GetAsync<JsonElement>("/api/v1/called-routes")).GetProperty("total").GetInt32().ShouldBe(0);

        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/roles/{code}", new { name = "routing", permissions = new[] { "reports.view" } });
        await (await router.Http.GetAsync("/api/v1/called-routes")).ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task Console_pages_follow_the_same_permissions()
    {
        var tenant = await app.NewTenantAsync();
        var manager = await HolderOfAsync(tenant, "agents.manage");
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        string[] pages = ["/config/agents", "/config/agent-info", "/config/skill-queues", "/config/called-routes"];

        var managerBrowser = await app.ConsoleSignInAsync(manager.Account, manager.Password);
        (await managerBrowser.LandsOnAsync("/config/agents")).ShouldBe("/config/agents");
        (await managerBrowser.LandsOnAsync("/config/agent-info")).ShouldBe("/config/agent-info");
        (await managerBrowser.LandsOnAsync("/config/skill-queues")).ShouldBe("/denied");
        (await managerBrowser.LandsOnAsync("/config/called-routes")).ShouldBe("/denied");

        var agentBrowser = await app.ConsoleSignInAsync(agent.Account, agent.Password);
        foreach (var page in pages) (await agentBrowser.LandsOnAsync(page)).ShouldBe("/denied", page);
        (await agentBrowser.LandsOnAsync("/workbench")).ShouldBe("/workbench");

        var adminBrowser = await app.ConsoleSignInAsync(tenant.Admin.Account, tenant.Admin.Password);
        foreach (var page in pages) (await adminBrowser.LandsOnAsync(page)).ShouldBe(page);
    }

    private Task<Actor> ActorOfAsync(string account) => app.WithDbAsync(async db =>
    {
        var a = await db.Set<Account>().AsNoTracking().SingleAsync(x => x.Name == account);
        return new Actor(a.Id, a.Name, a.Roles, a.TenantId, null);
    });
}

public sealed class ConfigurationPermissionTestsOnSqlite(SqliteApp app) : ConfigurationPermissionTests(app), IClassFixture<SqliteApp>;

public sealed class ConfigurationPermissionTestsOnPostgres(PostgresApp app) : ConfigurationPermissionTests(app), IClassFixture<PostgresApp>;
