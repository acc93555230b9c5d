using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Verification;

/// <summary>Enterprise verification, account standing and the audit log through the API.</summary>
public abstract class VerificationApiTests(YunkeApp app)
{
    private static object Application(string? code = null) =>
        new { enterpriseName = "深圳云客科技有限公司", creditCode = code ?? Onboarding.NewCreditCode(), legalPerson = "李四" };

    [Fact]
    public async Task Applying_answers_pending_and_approval_verifies_the_account()
    {
        var account = await app.NewCloudAccountAsync();
        var response = await account.SendPostAsync("/api/v1/me/enterprise-verification", Application());
        ((int)response.StatusCode).ShouldBe(201);
        var created = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        created.GetProperty("status").GetString().ShouldBe("pending");
        (await account.GetAsync<JsonElement>("/api/v1/me")).GetProperty("verification").GetString().ShouldBe("pending");

        var op = await app.OperatorAsync();
        var queue = await op.GetAsync<JsonElement>("/api/v1/operator/verifications?status=pending&pageSize=200");
        queue.GetProperty("items").EnumerateArray().ShouldContain(i => i.GetProperty("id").GetString() == created.GetProperty("id").GetString());

        var approved = await op.PostAsync<JsonElement>($"/api/v1/operator/verifications/{created.GetProperty("id").GetString()}/approve");
        approved.GetProperty("status").GetString().ShouldBe("verified");
        var me = await account.GetAsync<JsonElement>("/api/v1/me");
        me.GetProperty("verification").GetString().ShouldBe("verified");
        me.GetProperty("enterpriseName").GetString().ShouldBe("深圳云客科技有限公司");

        await (await op.SendPostAsync($"/api/v1/operator/verifications/{created.GetProperty("id").GetString()}/approve"))
            .ShouldBeProblemAsync(422, "notPending");
    }

    [Fact]
    public async Task A_wrong_check_character_is_a_validation_problem_on_creditCode()
    {
        var account = await app.NewCloudAccountAsync();
        var problem = await (await account.SendPostAsync("/api/v1/me/enterprise-verification", Application("91350100M000100Y44")))
            .ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").GetProperty("creditCode")[0].GetString()!.ShouldContain("check character");
        (await account.GetAsync<JsonElement>("/api/v1/me")).GetProperty("verification").GetString().ShouldBe("none");
    }

    [Fact]
    public async Task A_second_application_while_pending_is_a_conflict()
    {
        var account = await app.NewCloudAccountAsync();
        await account.PostAsync<JsonElement>("/api/v1/me/enterprise-verification", Application());
        await (await account.SendPostAsync("/api/v1/me/enterprise-verification", Application())).ShouldBeProblemAsync(409, "verificationPending");
    }

    [Fact]
    public async Task Rejection_needs_a_reason_and_allows_a_new_application()
    {
        var account = await app.NewCloudAccountAsync();
        var created = await account.PostAsync<JsonElement>("/api/v1/me/enterprise-verification", Application());
        var id = created.GetProperty("id").GetString();
        var op = await app.OperatorAsync();
        await (await op.SendPostAsync($"/api/v1/operator/verifications/{id}/reject", new { reason = "" })).ShouldBeProblemAsync(400, "validation");
        var rejected = await op.PostAsync<JsonElement>($"/api/v1/operator/verifications/{id}/reject", new { reason = "营业执照不清晰" });
        rejected.GetProperty("status").GetString().ShouldBe("rejected");
        rejected.GetProperty("reason").GetString().ShouldBe("营业执照不清晰");
        var again = await account.SendPostAsync("/api/v1/me/enterprise-verification", Application());
        ((int)again.StatusCode).ShouldBe(201);
    }

    [Fact]
    public async Task A_credit_code_verifies_only_one_account()
    {
        var code = Onboarding.NewCreditCode();
        var first = await app.NewCloudAccountAsync();
        var application = await first.PostAsync<JsonElement>("/api/v1/me/enterprise-verification", Application(code));
        await (await app.OperatorAsync()).PostAsync<JsonElement>($"/api/v1/operator/verifications/{application.GetProperty("id").GetString()}/approve");
        var second = await app.NewCloudAccountAsync();
        await (await second.SendPostAsync("/api/v1/me/enterprise-verification", Application(code))).ShouldBeProblemAsync(409, "creditCodeInUse");
    }

    [Fact]
    public async Task Only_the_operator_reviews_and_changes_standing()
    {
        var account = await app.NewCloudAccountAsync();
        var created = await account.PostAsync<JsonElement>("/api/v1/me/enterprise-verification", Application());
        var response = await account.SendPostAsync($"/api/v1/operator/verifications/{created.GetProperty("id").GetString()}/approve");
        ((int)response.StatusCode).ShouldBe(403);
        var me = await account.GetAsync<JsonElement>("/api/v1/me");
        ((int)(await account.SendPostAsync($"/api/v1/operator/accounts/{me.GetProperty("id").GetString()}/unfreeze")).StatusCode).ShouldBe(403);
        ((int)(await account.Http.GetAsync("/api/v1/audit")).StatusCode).ShouldBe(403);
    }

    [Fact]
    public async Task Freeze_restrict_and_back_show_on_the_account()
    {
        var account = await app.NewCloudAccountAsync();
        var id = (await account.GetAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetString();
        var op = await app.OperatorAsync();
        (await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{id}/freeze", new { reason = "欠费" })).GetProperty("frozen").GetBoolean().ShouldBeTrue();
        (await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{id}/restrict")).GetProperty("restricted").GetBoolean().ShouldBeTrue();
        var me = await account.GetAsync<JsonElement>("/api/v1/me");
        me.GetProperty("frozen").GetBoolean().ShouldBeTrue();
        me.GetProperty("restricted").GetBoolean().ShouldBeTrue();
        (await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{id}/unfreeze")).GetProperty("frozen").GetBoolean().ShouldBeFalse();
        await (await op.SendPostAsync($"/api/v1/operator/accounts/{Guid.NewGuid()}/freeze")).ShouldBeProblemAsync(404, "notFound");
    }

    [Fact]
    public async Task The_audit_log_records_who_did_what()
    {
        var account = await app.NewCloudAccountAsync();
        await app.VerifyAsync(account);
        var op = await app.OperatorAsync();
        var log = await op.GetAsync<JsonElement>("/api/v1/audit?action=verification.approved&pageSize=200");
        log.GetProperty("total").GetInt32().ShouldBeGreaterThan(0);
        var entry = log.GetProperty("items").EnumerateArray().First(e => e.GetProperty("target").GetString() == account.Account);
        entry.GetProperty("actor").GetString().ShouldBe("operator");
        entry.GetProperty("remoteIp").ValueKind.ShouldNotBe(JsonValueKind.Undefined);
    }

    [Fact]
    public async Task Paging_is_validated()
    {
        var op = await app.OperatorAsync();
        await (await op.Http.GetAsync("/api/v1/operator/accounts?pageSize=1000")).ShouldBeProblemAsync(400, "validation");
        await (await op.Http.GetAsync("/api/v1/operator/accounts?page=abc")).ShouldBeProblemAsync(400, "badRequest");
        var problem = await (await op.Http.GetAsync("/api/v1/operator/verifications?status=maybe")).ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").GetProperty("status")[0].GetString()!.ShouldContain("pending");
        var page = await op.GetAsync<JsonElement>("/api/v1/operator/accounts?page=1&pageSize=1");
        page.GetProperty("items").GetArrayLength().ShouldBe(1);
        page.GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
    }
}

public sealed class VerificationApiTestsOnSqlite(SqliteApp app) : VerificationApiTests(app), IClassFixture<SqliteApp>;

public sealed class VerificationApiTestsOnPostgres(PostgresApp app) : VerificationApiTests(app), IClassFixture<PostgresApp>;
