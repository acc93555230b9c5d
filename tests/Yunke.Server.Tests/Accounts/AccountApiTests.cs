using System.Net.Http.Headers;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Accounts;

/// <summary>Sign-up, login with lock-out, password change. Runs on SQLite and on PostgreSQL.</summary>
public abstract class AccountApiTests(YunkeApp app)
{
    [Fact]
    public async Task Sign_up_then_login_answers_a_token_that_reads_me()
    {
        var client = await app.NewCloudAccountAsync();
        var me = await client.GetAsync<JsonElement>("/api/v1/me");
        me.GetProperty("account").GetString().ShouldBe(client.Account);
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["cloudAccount"]);
        me.GetProperty("verification").GetString().ShouldBe("none");
    }

    [Fact]
    public async Task Sign_up_with_bad_fields_names_each_field()
    {
        var response = await app.Anonymous().SendPostAsync("/api/v1/signup",
            new { account = "x", password = "short", email = "not-mail", phone = "abc" });
        var problem = await response.ShouldBeProblemAsync(400, "validation");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "account", "password", "email", "phone" }) errors.TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public async Task Account_names_are_unique_whatever_the_case()
    {
        var first = await app.NewCloudAccountAsync();
        var response = await app.Anonymous().SendPostAsync("/api/v1/signup",
            new { account = first.Account.ToUpperInvariant(), password = "Other#Pass2026", email = "b@example.cn", phone = "13900000000" });
        await response.ShouldBeProblemAsync(409, "accountNameTaken");
    }

    [Fact]
    public async Task Password_equal_to_the_reversed_account_name_is_refused()
    {
        var response = await app.Anonymous().SendPostAsync("/api/v1/signup",
            new { account = "Ab1#cdefg", password = "gfedc#1bA", email = "c@example.cn", phone = "13900000001" });
        var problem = await response.ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").GetProperty("password").ToString().ShouldContain("reversed");
    }

    [Fact]
    public async Task Wrong_password_is_401_and_five_failures_lock_the_account()
    {
        var client = await app.NewCloudAccountAsync();
        for (var i = 0; i < 5; i++)
            await (await app.Anonymous().SendPostAsync("/api/v1/auth/login", new { account = client.Account, password = "Wrong#Pass1" }))
                .ShouldBeProblemAsync(401, "invalidCredentials");
        await (await app.Anonymous().SendPostAsync("/api/v1/auth/login", new { account = client.Account, password = client.Password }))
            .ShouldBeProblemAsync(423, "accountLocked");
    }

    [Fact]
    public async Task Changing_the_password_ends_old_tokens()
    {
        var client = await app.NewCloudAccountAsync();
        var changed = await client.PostAsync<JsonElement>("/api/v1/auth/password",
            new { currentPassword = client.Password, newPassword = "Newer#Pass2027" });
        (await client.Http.GetAsync("/api/v1/me")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);

        var fresh = app.CreateClient();
        fresh.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", changed.GetProperty("accessToken").GetString());
        (await fresh.GetAsync("/api/v1/me")).IsSuccessStatusCode.ShouldBeTrue();
        await app.LoginAsync(client.Account, "Newer#Pass2027");
    }

    [Fact]
    public async Task Calls_without_a_token_are_401()
    {
        (await app.Anonymous().Http.GetAsync("/api/v1/me")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
    }
}

public sealed class AccountApiTestsOnSqlite(SqliteApp app) : AccountApiTests(app), IClassFixture<SqliteApp>;

public sealed class AccountApiTestsOnPostgres(PostgresApp app) : AccountApiTests(app), IClassFixture<PostgresApp>;
