using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Calls;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Staff;

namespace Yunke.Server.Tests.Calls;

/// <summary>Call records and recordings through the API; the records are written as the call controller writes them.</summary>
public abstract class CallApiTests(YunkeApp app)
{
    private static readonly DateTime Morning = new(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc);

    private async Task<CallRecord> RecordAsync(Guid tenantId, DateTime offeredAt, string? agentId = "1001", string? recording = null,
        CallResult result = CallResult.Answered, Guid? queueId = null)
    {
        var record = new CallRecord
        {
            TenantId = tenantId, Direction = CallDirection.Inbound, Caller = "13800138000", Callee = "02566001234",
            AgentId = agentId, OfferedAt = offeredAt, AnsweredAt = offeredAt.AddSeconds(4), EndedAt = offeredAt.AddSeconds(64),
            WaitSeconds = 4, TalkSeconds = 60, Result = result, RecordingFile = recording, SipCallId = Guid.NewGuid().ToString(),
            SkillQueueId = queueId,
        };
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CallService>().RecordAsync(record);
        return record;
    }

    [Fact]
    public async Task Calls_are_listed_newest_first_filtered_by_time_and_paged()
    {
        var tenant = await app.NewTenantAsync();
        var tenantId = Guid.Parse(tenant.Id);
        var early = await RecordAsync(tenantId, Morning);
        var middle = await RecordAsync(tenantId, Morning.AddHours(1), result: CallResult.QueueTimeout);
        var late = await RecordAsync(tenantId, Morning.AddHours(2));

        var all = await tenant.Admin.GetAsync<JsonElement>("/api/v1/calls");
        all.GetProperty("total").GetInt32().ShouldBe(3);
        all.GetProperty("items").EnumerateArray().Select(c => c.Str("id")).ShouldBe([late.Id.ToString(), middle.Id.ToString(), early.Id.ToString()]);
        var first = all.GetProperty("items")[0];
        first.Str("caller").ShouldBe("13800138000");
        first.Str("callee").ShouldBe("02566001234");
        first.Str("direction").ShouldBe("inbound");
        first.Str("result").ShouldBe("answered");
        first.GetProperty("talkSeconds").GetInt32().ShouldBe(60);
        all.GetProperty("items")[1].Str("result").ShouldBe("queueTimeout");

        var window = await tenant.Admin.GetAsync<JsonElement>($"/api/v1/calls?from={Morning.AddMinutes(30):O}&to={Morning.AddHours(2):O}");
        window.GetProperty("items").EnumerateArray().Select(c => c.Str("id")).ShouldBe([middle.Id.ToString()]);

        var page2 = await tenant.Admin.GetAsync<JsonElement>("/api/v1/calls?page=2&pageSize=2");
        page2.GetProperty("total").GetInt32().ShouldBe(3);
        page2.GetProperty("items").EnumerateArray().Select(c => c.Str("id")).ShouldBe([early.Id.ToString()]);

        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/calls/{middle.Id}")).Str("result").ShouldBe("queueTimeout");
    }

    [Fact]
    public async Task A_window_that_ends_before_it_starts_is_refused()
    {
        var tenant = await app.NewTenantAsync();
        var response = await tenant.Admin.Http.GetAsync($"/api/v1/calls?from={Morning:O}&to={Morning.AddHours(-1):O}");
        await response.ErrorsOf(400, "validation", "to");
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_calls()
    {
        var tenant = await app.NewTenantAsync();
        var call = await RecordAsync(Guid.Parse(tenant.Id), Morning);
        var other = await app.NewTenantAsync();
        (await other.Admin.GetAsync<JsonElement>("/api/v1/calls")).GetProperty("total").GetInt32().ShouldBe(0);
        await (await other.Admin.Http.GetAsync($"/api/v1/calls/{call.Id}")).ShouldBeProblemAsync(404);
        await (await other.Admin.Http.GetAsync($"/api/v1/calls/{call.Id}/recording")).ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task An_agent_sees_its_own_calls_and_a_supervisor_all_of_them()
    {
        var tenant = await app.NewTenantAsync();
        var tenantId = Guid.Parse(tenant.Id);
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        var agentId = (await tenant.Admin.AgentsAsync())[0].Str("agentId");
        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/agents/{agentId}", new { employeeAccount = agent.Account });
        var mine = await RecordAsync(tenantId, Morning, agentId);
        var theirs = await RecordAsync(tenantId, Morning.AddMinutes(1), "1999");

        var seen = await agent.GetAsync<JsonElement>("/api/v1/calls");
        seen.GetProperty("items").EnumerateArray().Select(c => c.Str("id")).ShouldBe([mine.Id.ToString()]);
        await (await agent.Http.GetAsync($"/api/v1/calls/{theirs.Id}")).ShouldBeProblemAsync(404);

        var supervisor = await app.SignedInEmployeeAsync(tenant, "supervisor");
        (await supervisor.GetAsync<JsonElement>("/api/v1/calls")).GetProperty("total").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task The_recording_downloads_as_wav_and_a_call_without_one_has_none()
    {
        var tenant = await app.NewTenantAsync();
        var file = $"{Guid.NewGuid():N}.wav";
        var folder = Path.Combine(app.DataDir, "recordings");
        Directory.CreateDirectory(folder);
        byte[] wav = [.. "RIFF"u8, 36, 0, 0, 0, .. "WAVEfmt "u8, 1, 2, 3, 4];
        await File.WriteAllBytesAsync(Path.Combine(folder, file), wav);
        var recorded = await RecordAsync(Guid.Parse(tenant.Id), Morning, recording: file);
        var silent = await RecordAsync(Guid.Parse(tenant.Id), Morning);

        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/calls/{recorded.Id}")).Str("recordingUrl").ShouldBe($"/api/v1/calls/{recorded.Id}/recording");
        var download = await tenant.Admin.Http.GetAsync($"/api/v1/calls/{recorded.Id}/recording");
        download.IsSuccessStatusCode.ShouldBeTrue();
        download.Content.Headers.ContentType?.MediaType.ShouldBe("audio/wav");
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(wav);

        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/calls/{silent.Id}")).GetProperty("recordingUrl").ValueKind.ShouldBe(JsonValueKind.Null);
        await (await tenant.Admin.Http.GetAsync($"/api/v1/calls/{silent.Id}/recording")).ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task A_call_names_the_queue_it_went_through()
    {
        var tenant = await app.NewTenantAsync();
        var queue = await tenant.Admin.PostAsync<JsonElement>("/api/v1/skill-queues",
            new { name = "售后热线", mediaType = "voice", maxQueueLength = 10, maxWaitSeconds = 60, wrapUpSeconds = 5 });
        var queued = await RecordAsync(Guid.Parse(tenant.Id), Morning, queueId: Guid.Parse(queue.Str("id")));
        var direct = await RecordAsync(Guid.Parse(tenant.Id), Morning.AddMinutes(1));

        var listed = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/calls")).GetProperty("items").EnumerateArray().ToDictionary(c => c.Str("id"));
        listed[queued.Id.ToString()].Str("skillQueueName").ShouldBe("售后热线");
        listed[queued.Id.ToString()].Str("skillQueueId").ShouldBe(queue.Str("id"));
        listed[direct.Id.ToString()].GetProperty("skillQueueName").ValueKind.ShouldBe(JsonValueKind.Null);
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/calls/{queued.Id}")).Str("skillQueueName").ShouldBe("售后热线");
    }

    [Fact]
    public async Task The_console_plays_a_recording_with_its_cookie_to_those_who_may_see_the_call()
    {
        var tenant = await app.NewTenantAsync();
        var file = $"{Guid.NewGuid():N}.wav";
        Directory.CreateDirectory(Path.Combine(app.DataDir, "recordings"));
        byte[] wav = [.. "RIFF"u8, 36, 0, 0, 0, .. "WAVEfmt "u8, 9, 8, 7, 6];
        await File.WriteAllBytesAsync(Path.Combine(app.DataDir, "recordings", file), wav);
        var call = await RecordAsync(Guid.Parse(tenant.Id), Morning, agentId: "1999", recording: file);
        var path = $"/console/recordings/{call.Id}";

        var admin = await app.ConsoleSignInAsync(tenant.Admin.Account, tenant.Admin.Password);
        (await admin.LandsOnAsync("/calls")).ShouldBe("/calls");
        var played = await admin.GetAsync(path);
        played.IsSuccessStatusCode.ShouldBeTrue();
        played.Content.Headers.ContentType?.MediaType.ShouldBe("audio/wav");
        (await played.Content.ReadAsByteArrayAsync()).ShouldBe(wav);

        // An agent only hears its own calls; another tenant hears none; nobody signed out hears anything.
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        var agentBrowser = await app.ConsoleSignInAsync(agent.Account, agent.Password);
        (await agentBrowser.GetAsync(path)).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        var other = await app.NewTenantAsync();
        var otherBrowser = await app.ConsoleSignInAsync(other.Admin.Account, other.Admin.Password);
        (await otherBrowser.GetAsync(path)).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await app.CreateClient().LandsOnAsync(path)).ShouldBe("/login");
        // The REST path does not take the console's cookie.
        (await admin.GetAsync($"/api/v1/calls/{call.Id}/recording")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
    }
}

public sealed class CallApiTestsOnSqlite(SqliteApp app) : CallApiTests(app), IClassFixture<SqliteApp>;

public sealed class CallApiTestsOnPostgres(PostgresApp app) : CallApiTests(app), IClassFixture<PostgresApp>;
