using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.AgentStates;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Agents;

/// <summary>技能队列: the five media types, bounds, unique names, deletion rules.</summary>
public abstract class SkillQueueApiTests(YunkeApp app)
{
    [Fact]
    public async Task The_admin_creates_reads_changes_and_deletes_a_queue()
    {
        var tenant = await app.NewTenantAsync();
        var created = await tenant.Admin.PostAsync<JsonElement>("/api/v1/skill-queues",
            new { name = "售后语音", mediaType = "videoClickToCall", maxQueueLength = 50, maxWaitSeconds = 90, wrapUpSeconds = 15 });
        created.Str("name").ShouldBe("售后语音");
        created.Str("mediaType").ShouldBe("videoClickToCall");
        created.GetProperty("maxQueueLength").GetInt32().ShouldBe(50);
        created.GetProperty("maxWaitSeconds").GetInt32().ShouldBe(90);
        created.GetProperty("wrapUpSeconds").GetInt32().ShouldBe(15);

        var read = await tenant.Admin.GetAsync<JsonElement>($"/api/v1/skill-queues/{created.Id()}");
        read.Str("name").ShouldBe("售后语音");
        (await tenant.Admin.QueuesAsync()).Select(q => q.Id()).ShouldContain(created.Id());

        var changed = await tenant.Admin.PutAsync<JsonElement>($"/api/v1/skill-queues/{created.Id()}",
            new { name = "售后", mediaType = "voice", maxQueueLength = 10, maxWaitSeconds = 30, wrapUpSeconds = 0 });
        changed.Str("name").ShouldBe("售后");
        changed.Str("mediaType").ShouldBe("voice");
        changed.GetProperty("wrapUpSeconds").GetInt32().ShouldBe(0);

        (await tenant.Admin.DeleteAsync($"/api/v1/skill-queues/{created.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await tenant.Admin.Http.GetAsync($"/api/v1/skill-queues/{created.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var audit = await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit");
        audit.Items().Select(e => e.Str("action")).ShouldContain("skillQueue.deleted");
    }

    [Theory]
    [InlineData("voice")]
    [InlineData("multimedia")]
    [InlineData("video")]
    [InlineData("voiceClickToCall")]
    [InlineData("videoClickToCall")]
    public async Task Every_media_type_of_the_seed_is_accepted(string mediaType)
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        (await tenant.Admin.NewQueueAsync(mediaType)).Str("mediaType").ShouldBe(mediaType);
    }

    [Fact]
    public async Task Bounds_and_missing_fields_are_refused_naming_each_field()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var response = await tenant.Admin.SendPostAsync("/api/v1/skill-queues",
            new { name = "", maxQueueLength = 0, maxWaitSeconds = 3601, wrapUpSeconds = -1 });
        var errors = (await response.ShouldBeProblemAsync(400, "validation")).GetProperty("errors");
        foreach (var field in new[] { "name", "mediaType", "maxQueueLength", "maxWaitSeconds", "wrapUpSeconds" })
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);

        var unknownType = await tenant.Admin.SendPostAsync("/api/v1/skill-queues",
            new { name = "x", mediaType = "fax", maxQueueLength = 1, maxWaitSeconds = 1, wrapUpSeconds = 0 });
        await unknownType.ShouldBeProblemAsync(400, "badRequest");
        (await tenant.Admin.QueuesAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Names_are_unique_per_tenant_regardless_of_case_but_not_across_tenants()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        await a.Admin.NewQueueAsync("voice", "Sales");
        var duplicate = await a.Admin.SendPostAsync("/api/v1/skill-queues", Staffing.QueueBody("voice", "sales"));
        (await duplicate.ShouldBeProblemAsync(409, "queueNameTaken")).GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue();
        (await b.Admin.NewQueueAsync("voice", "Sales")).Str("name").ShouldBe("Sales");

        var other = await a.Admin.NewQueueAsync("voice", "Support");
        var rename = await a.Admin.SendPutAsync($"/api/v1/skill-queues/{other.Id()}", Staffing.QueueBody("voice", "SALES"));
        await rename.ShouldBeProblemAsync(409, "queueNameTaken");
    }

    [Fact]
    public async Task Deleting_a_queue_unlinks_it_from_its_agents()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var extra = await tenant.Admin.NewQueueAsync("voiceClickToCall");
        var agent = (await tenant.Admin.AgentsAsync()).Single();
        var ids = agent.Strings("skillQueueIds").Append(extra.Id()).ToArray();
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new { skillQueueIds = ids });

        var states = await app.Services.GetRequiredService<AgentStateHub>().ForTenantAsync(Guid.Parse(tenant.Id));
        (await states.QueuesOfAsync("1001")).ShouldContain(Guid.Parse(extra.Id()));

        (await tenant.Admin.DeleteAsync($"/api/v1/skill-queues/{extra.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001")).Strings("skillQueueIds").ShouldBe(agent.Strings("skillQueueIds"));
        // The ACD forgets the queue at once, not at the agent's next re-bind.
        (await states.QueuesOfAsync("1001")).Select(q => q.ToString()).OrderBy(q => q).ShouldBe(agent.Strings("skillQueueIds").OrderBy(q => q));
    }

    [Fact]
    public async Task A_queue_with_a_called_route_cannot_be_deleted()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var queue = await tenant.Admin.NewQueueAsync("voice");
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes",
            new { accessCode = tenant.Number, deviceType = "skillQueue", skillQueueId = queue.Id() });
        var delete = await tenant.Admin.DeleteAsync($"/api/v1/skill-queues/{queue.Id()}");
        (await delete.ShouldBeProblemAsync(409, "queueInUse")).GetProperty("detail").GetString()!.ShouldContain(tenant.Number);
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/skill-queues/{queue.Id()}")).Id().ShouldBe(queue.Id());
    }

    [Fact]
    public async Task A_linked_queue_cannot_change_to_a_media_type_its_agents_cannot_take()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var defaultQueue = (await tenant.Admin.QueuesAsync()).Single();
        var response = await tenant.Admin.SendPutAsync($"/api/v1/skill-queues/{defaultQueue.Id()}",
            Staffing.QueueBody("multimedia", defaultQueue.Str("name")));
        (await response.ShouldBeProblemAsync(422, "queueTypeMismatch")).GetProperty("detail").GetString()!.ShouldContain("1001");
        // To a type the voice agent can take, it may.
        (await tenant.Admin.PutAsync<JsonElement>($"/api/v1/skill-queues/{defaultQueue.Id()}",
            Staffing.QueueBody("voiceClickToCall", defaultQueue.Str("name")))).Str("mediaType").ShouldBe("voiceClickToCall");
    }

    [Fact]
    public async Task Another_tenants_queue_is_not_found_for_reading_changing_or_deleting()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var queue = await a.Admin.NewQueueAsync("voice");

        (await b.Admin.Http.GetAsync($"/api/v1/skill-queues/{queue.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await b.Admin.SendPutAsync($"/api/v1/skill-queues/{queue.Id()}", Staffing.QueueBody())).ShouldBeProblemAsync(404, "notFound");
        await (await b.Admin.DeleteAsync($"/api/v1/skill-queues/{queue.Id()}")).ShouldBeProblemAsync(404, "notFound");
        (await b.Admin.QueuesAsync()).Select(q => q.Id()).ShouldNotContain(queue.Id());
        (await a.Admin.GetAsync<JsonElement>($"/api/v1/skill-queues/{queue.Id()}")).Str("name").ShouldBe(queue.Str("name"));
    }

    [Fact]
    public async Task Only_a_tenant_admin_manages_queues()
    {
        var owner = await app.NewVerifiedAccountAsync();
        (await owner.Http.GetAsync("/api/v1/skill-queues")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.Anonymous().Http.GetAsync("/api/v1/skill-queues")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

public sealed class SkillQueueApiTestsOnSqlite(SqliteApp app) : SkillQueueApiTests(app), IClassFixture<SqliteApp>;

public sealed class SkillQueueApiTestsOnPostgres(PostgresApp app) : SkillQueueApiTests(app), IClassFixture<PostgresApp>;
