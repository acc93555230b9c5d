using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Agents;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Agents;

/// <summary>座席管理: pre-allocated agent IDs, binding accounts and skill queues (seed chapter 4 step 3).</summary>
public abstract class AgentApiTests(YunkeApp app)
{
    [Fact]
    public async Task A_new_instance_has_one_agent_id_per_seat_with_its_type_default_queue_and_softphone()
    {
        var tenant = await app.NewTenantAsync(voice: 2, video: 1, multimedia: 1);
        var agents = await tenant.Admin.AgentsAsync();
        agents.Select(a => a.Str("agentId")).ShouldBe(["1001", "1002", "1003", "1004"]);
        agents.Select(a => a.Str("agentType")).ShouldBe(["voice", "voice", "video", "multimedia"]);
        agents.ShouldAllBe(a => a.GetProperty("employeeAccount").ValueKind == JsonValueKind.Null);
        agents.ShouldAllBe(a => a.GetProperty("autoAnswer").GetBoolean() == false);
        agents.ShouldAllBe(a => a.GetProperty("autoAnswerDelaySeconds").GetInt32() == 2);

        var queues = (await tenant.Admin.QueuesAsync()).ToDictionary(q => q.Id());
        queues.Values.Select(q => q.Str("mediaType")).Order().ShouldBe(["multimedia", "video", "voice"]);
        foreach (var agent in agents)
        {
            var linked = agent.Strings("skillQueueIds");
            linked.Length.ShouldBe(1);
            queues[linked[0]].Str("mediaType").ShouldBe(agent.Str("agentType"));
        }
        agents[0].Strings("skillQueueIds").ShouldBe(agents[1].Strings("skillQueueIds"));

        // Softphone numbers: one tenant prefix, then the agent ID.
        var numbers = agents.Select(a => a.Str("softphoneNumber")).ToList();
        var prefix = numbers[0][..^4];
        prefix.Length.ShouldBe(Softphones.PrefixLength);
        numbers.ShouldBe(agents.Select(a => prefix + a.Str("agentId")).ToList());
    }

    [Fact]
    public async Task Softphone_numbers_of_two_tenants_never_collide()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var agentA = (await a.Admin.AgentsAsync()).Single();
        var agentB = (await b.Admin.AgentsAsync()).Single();
        agentA.Str("agentId").ShouldBe(agentB.Str("agentId"));
        agentA.Str("softphoneNumber").ShouldNotBe(agentB.Str("softphoneNumber"));
    }

    [Fact]
    public async Task The_admin_binds_an_account_and_fitting_queues_then_unbinds()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 1, multimedia: 0);
        var employee = await app.AddEmployeeAsync(tenant);
        var clickToCall = await tenant.Admin.NewQueueAsync("voiceClickToCall");
        var video = (await tenant.Admin.QueuesAsync()).Single(q => q.Str("mediaType") == "video");

        var bound = await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1002", new
        {
            employeeAccount = employee,
            skillQueueIds = new[] { video.Id(), clickToCall.Id() },
            autoAnswer = true,
            autoAnswerDelaySeconds = 5,
        });
        bound.Str("employeeAccount").ShouldBe(employee);
        bound.Strings("skillQueueIds").Order().ShouldBe(new[] { video.Id(), clickToCall.Id() }.Order());
        bound.GetProperty("autoAnswer").GetBoolean().ShouldBeTrue();
        bound.GetProperty("autoAnswerDelaySeconds").GetInt32().ShouldBe(5);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1002")).Str("employeeAccount").ShouldBe(employee);

        // Null queue list and auto-answer keep what is there; a null account unbinds.
        var unbound = await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1002", new { employeeAccount = (string?)null });
        unbound.GetProperty("employeeAccount").ValueKind.ShouldBe(JsonValueKind.Null);
        unbound.Strings("skillQueueIds").Length.ShouldBe(2);
        unbound.GetProperty("autoAnswer").GetBoolean().ShouldBeTrue();

        var audit = await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=agent.configured");
        audit.Items().Count().ShouldBe(2);
    }

    [Fact]
    public async Task An_account_is_bound_to_at_most_one_agent_id()
    {
        var tenant = await app.NewTenantAsync(voice: 2, video: 0, multimedia: 0);
        var employee = await app.AddEmployeeAsync(tenant);
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new { employeeAccount = employee });
        var second = await tenant.Admin.SendPutAsync("/api/v1/agents/1002", new { employeeAccount = employee });
        var problem = await second.ShouldBeProblemAsync(409, "accountAlreadyBound");
        problem.GetProperty("detail").GetString()!.ShouldContain("1001");
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1002")).GetProperty("employeeAccount").ValueKind.ShouldBe(JsonValueKind.Null);

        // Binding it again to the same agent ID is fine (the dialog resubmits it).
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new { employeeAccount = employee.ToUpperInvariant() });
    }

    [Fact]
    public async Task Queues_must_fit_the_agent_type()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 1);
        var video = await tenant.Admin.NewQueueAsync("video");
        var voice = await tenant.Admin.NewQueueAsync("voice");

        var voiceAgentOnVideo = await tenant.Admin.SendPutAsync("/api/v1/agents/1001",
            new { employeeAccount = (string?)null, skillQueueIds = new[] { voice.Id(), video.Id() } });
        var problem = await voiceAgentOnVideo.ShouldBeProblemAsync(422, "queueTypeMismatch");
        problem.GetProperty("errors").GetProperty("skillQueueIds").ToString().ShouldContain(video.Str("name"));

        var multimediaOnVoice = await tenant.Admin.SendPutAsync("/api/v1/agents/1002", new { skillQueueIds = new[] { voice.Id() } });
        await multimediaOnVoice.ShouldBeProblemAsync(422, "queueTypeMismatch");

        // Nothing half-written: the voice agent still has only its default queue.
        var agent = await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001");
        agent.Strings("skillQueueIds").ShouldNotContain(voice.Id());
        agent.Strings("skillQueueIds").Length.ShouldBe(1);
    }

    [Fact]
    public async Task Bad_bindings_are_refused_naming_the_field()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var unknownAccount = await tenant.Admin.SendPutAsync("/api/v1/agents/1001", new { employeeAccount = "nobody-here-xyz" });
        (await unknownAccount.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("employeeAccount", out _).ShouldBeTrue();

        var unknownQueue = await tenant.Admin.SendPutAsync("/api/v1/agents/1001", new { skillQueueIds = new[] { Guid.NewGuid() } });
        (await unknownQueue.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("skillQueueIds", out _).ShouldBeTrue();

        var delay = await tenant.Admin.SendPutAsync("/api/v1/agents/1001", new { autoAnswerDelaySeconds = 31 });
        (await delay.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("autoAnswerDelaySeconds", out _).ShouldBeTrue();

        (await tenant.Admin.Http.GetAsync("/api/v1/agents/9999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await tenant.Admin.SendPutAsync("/api/v1/agents/9999", new { autoAnswer = true })).ShouldBeProblemAsync(404, "notFound");
    }

    [Fact]
    public async Task Tenants_never_touch_each_others_agents_accounts_or_queues()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var employeeOfB = await app.AddEmployeeAsync(b);
        var queueOfB = await b.Admin.NewQueueAsync("voice");

        // a's agent 1001 is not b's: b reads and changes only its own.
        await b.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new { autoAnswer = true });
        (await a.Admin.GetAsync<JsonElement>("/api/v1/agents/1001")).GetProperty("autoAnswer").GetBoolean().ShouldBeFalse();

        var foreignAccount = await a.Admin.SendPutAsync("/api/v1/agents/1001", new { employeeAccount = employeeOfB });
        await foreignAccount.ShouldBeProblemAsync(400, "validation");
        var foreignQueue = await a.Admin.SendPutAsync("/api/v1/agents/1001", new { skillQueueIds = new[] { queueOfB.Id() } });
        await foreignQueue.ShouldBeProblemAsync(400, "validation");

        (await a.Admin.AgentsAsync()).Single().GetProperty("autoAnswer").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task A_bound_employee_finds_its_agent_id_and_an_unbound_one_gets_404()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var employee = await app.AddEmployeeAsync(tenant);
        var other = await app.AddEmployeeAsync(tenant);
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new { employeeAccount = employee });

        var agent = await app.LoginAsync(employee, Staffing.EmployeePassword);
        var me = await agent.GetAsync<JsonElement>("/api/v1/agent/me");
        me.Str("agentId").ShouldBe("1001");
        me.Str("employeeAccount").ShouldBe(employee);

        var unbound = await app.LoginAsync(other, Staffing.EmployeePassword);
        (await unbound.Http.GetAsync("/api/v1/agent/me")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // An agent is not the admin: it may not manage agent IDs.
        (await agent.Http.GetAsync("/api/v1/agents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Instances_made_before_allocation_get_their_agent_ids_on_first_use()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 1, multimedia: 0);
        var id = Guid.Parse(tenant.Id);
        await app.WithDbAsync(async db =>
        {
            await db.Set<AgentSkill>().Where(s => s.TenantId == id).ExecuteDeleteAsync();
            await db.Set<Agent>().Where(a => a.TenantId == id).ExecuteDeleteAsync();
            return await db.Set<SoftphoneSettings>().Where(s => s.TenantId == id).ExecuteDeleteAsync();
        });

        var agents = await tenant.Admin.AgentsAsync();
        agents.Select(a => a.Str("agentType")).ShouldBe(["voice", "video"]);
        agents.Select(a => a.Str("agentId")).ShouldBe(["1001", "1002"]);
        // The default queues made with the instance are reused, not duplicated.
        (await tenant.Admin.QueuesAsync()).Count.ShouldBe(2);
        agents.ShouldAllBe(a => a.GetProperty("skillQueueIds").GetArrayLength() == 1);
    }

    [Fact]
    public async Task A_trial_instance_gets_its_agent_ids_too()
    {
        var owner = await app.NewVerifiedAccountAsync();
        var application = await owner.PostAsync<JsonElement>("/api/v1/me/trial-applications",
            new { company = "试用公司", contactName = "李四", contactPhone = "13800138000", email = "trial@example.cn", agreePrivacyPolicy = true });
        var op = await app.OperatorAsync();
        var approved = await op.PostAsync<JsonElement>($"/api/v1/operator/trial-applications/{application.Id()}/approve");
        var instanceId = approved.Str("instanceId");
        var admin = await owner.PostAsync<JsonElement>($"/api/v1/instances/{instanceId}/tenant-admin/password");
        var first = await app.LoginAsync(admin.Str("account"), admin.Str("password"));
        await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = admin.Str("password"), newPassword = Tenancy.AdminPassword });
        var tenantAdmin = await app.LoginAsync(admin.Str("account"), Tenancy.AdminPassword);

        var offer = (await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetProperty("trial");
        var seats = offer.GetProperty("voiceSeats").GetInt32() + offer.GetProperty("videoSeats").GetInt32() + offer.GetProperty("multimediaSeats").GetInt32();
        var agents = await tenantAdmin.AgentsAsync();
        agents.Count.ShouldBe(seats);
        agents.Count(a => a.Str("agentType") == "voice").ShouldBe(offer.GetProperty("voiceSeats").GetInt32());
        agents[0].Str("agentId").ShouldBe("1001");
    }
}

public sealed class AgentApiTestsOnSqlite(SqliteApp app) : AgentApiTests(app), IClassFixture<SqliteApp>;

public sealed class AgentApiTestsOnPostgres(PostgresApp app) : AgentApiTests(app), IClassFixture<PostgresApp>;
