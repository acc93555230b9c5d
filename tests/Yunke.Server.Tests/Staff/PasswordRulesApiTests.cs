using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Staff;

/// <summary>账号和密码规则: the tenant's rules, their bounds, and how they govern its employees (and only them).</summary>
public abstract class PasswordRulesApiTests(YunkeApp app)
{
    private static object Rules(int minLength = 8, int historyCount = 3, int maxAgeDays = 90, int lockoutThreshold = 5,
        int lockoutMinutes = 15, bool requireSpecial = true) => new
    {
        minLength, requireUpper = true, requireLower = true, requireDigit = true, requireSpecial,
        forbidAccountOrReverse = true, historyCount, maxAgeDays, lockoutThreshold, lockoutMinutes,
    };

    [Fact]
    public async Task A_new_tenant_has_the_seeds_rules()
    {
        var tenant = await app.NewTenantAsync();
        var rules = await tenant.Admin.GetAsync<JsonElement>("/api/v1/password-rules");
        rules.GetProperty("minLength").GetInt32().ShouldBe(8);
        foreach (var rule in new[] { "requireUpper", "requireLower", "requireDigit", "requireSpecial", "forbidAccountOrReverse" })
            rules.GetProperty(rule).GetBoolean().ShouldBeTrue(rule);
        rules.GetProperty("historyCount").GetInt32().ShouldBe(3);
        rules.GetProperty("maxAgeDays").GetInt32().ShouldBe(90);
        rules.GetProperty("lockoutThreshold").GetInt32().ShouldBe(5);
        rules.GetProperty("lockoutMinutes").GetInt32().ShouldBe(15);
    }

    [Fact]
    public async Task The_admin_changes_the_rules_within_bounds_and_only_for_its_own_tenant()
    {
        var tenant = await app.NewTenantAsync();
        var other = await app.NewTenantAsync();
        var saved = await tenant.Admin.PutAsync<JsonElement>("/api/v1/password-rules", Rules(minLength: 12, historyCount: 5, requireSpecial: false));
        saved.GetProperty("minLength").GetInt32().ShouldBe(12);
        var read = await tenant.Admin.GetAsync<JsonElement>("/api/v1/password-rules");
        read.GetProperty("minLength").GetInt32().ShouldBe(12);
        read.GetProperty("historyCount").GetInt32().ShouldBe(5);
        read.GetProperty("requireSpecial").GetBoolean().ShouldBeFalse();
        (await other.Admin.GetAsync<JsonElement>("/api/v1/password-rules")).GetProperty("minLength").GetInt32().ShouldBe(8);

        var bad = await tenant.Admin.SendAsync(HttpMethod.Put, "/api/v1/password-rules",
            Rules(minLength: 7, historyCount: 25, maxAgeDays: -1, lockoutThreshold: 0, lockoutMinutes: 0));
        var problem = await bad.ShouldBeProblemAsync(400, "validation");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "minLength", "historyCount", "maxAgeDays", "lockoutThreshold", "lockoutMinutes" })
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/password-rules")).GetProperty("minLength").GetInt32().ShouldBe(12);

        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=passwordRules.updated")).Items()
            .ShouldHaveSingleItem().Str("tenantId").ShouldBe(tenant.Id);
    }

    [Fact]
    public async Task Agents_and_cloud_accounts_may_not_read_or_change_the_rules()
    {
        var tenant = await app.NewTenantAsync();
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        await (await agent.Http.GetAsync("/api/v1/password-rules")).ShouldBeProblemAsync(403);
        await (await agent.SendAsync(HttpMethod.Put, "/api/v1/password-rules", Rules())).ShouldBeProblemAsync(403);
        await (await tenant.Owner.Http.GetAsync("/api/v1/password-rules")).ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task The_tenants_rules_govern_new_employees_and_their_password_changes_but_not_cloud_accounts()
    {
        var tenant = await app.NewTenantAsync();
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/password-rules", Rules(minLength: 14));
        var account = StaffSteps.NewAccountName();
        var refused = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees", StaffSteps.Employee(account, ["agent"], password: "Short#Pass1"));
        (await refused.ErrorsOf(400, "validation", "password")).EnumerateArray().ShouldContain(m => m.GetString()!.Contains("14"));

        var created = await tenant.Admin.PostAsync<JsonElement>("/api/v1/employees", StaffSteps.Employee(account, ["agent"], password: "Long#Enough2026"));
        var first = await app.LoginAsync(account, "Long#Enough2026");
        var tooShort = await first.SendPostAsync("/api/v1/auth/password", new { currentPassword = "Long#Enough2026", newPassword = "Short#Pass2" });
        (await tooShort.ErrorsOf(400, "validation", "newPassword")).EnumerateArray().ShouldContain(m => m.GetString()!.Contains("14"));
        await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = "Long#Enough2026", newPassword = "Longer#Enough2026" });
        created.Str("account").ShouldBe(account);

        // The instance's owner is a cloud account: the defaults still apply to it.
        await tenant.Owner.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = tenant.Owner.Password, newPassword = "Cloud#New2026" });
    }

    [Fact]
    public async Task An_employee_cannot_reuse_its_last_passwords()
    {
        var tenant = await app.NewTenantAsync();
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/password-rules", Rules(historyCount: 3));
        var employee = await app.SignedInEmployeeAsync(tenant, "agent"); // FirstPassword → OwnPassword
        var again = await app.LoginAsync(employee.Account, StaffSteps.OwnPassword);
        await again.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = StaffSteps.OwnPassword, newPassword = "Third#Pass2026" });
        var third = await app.LoginAsync(employee.Account, "Third#Pass2026");
        // The last three: Third (current), Own, First.
        var reuse = await third.SendPostAsync("/api/v1/auth/password", new { currentPassword = "Third#Pass2026", newPassword = StaffSteps.FirstPassword });
        (await reuse.ErrorsOf(400, "validation", "newPassword")).EnumerateArray().ShouldContain(m => m.GetString()!.Contains("last 3"));
        await third.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = "Third#Pass2026", newPassword = "Fourth#Pass2026" });
    }

    [Fact]
    public async Task The_tenants_lockout_threshold_locks_its_employees()
    {
        var tenant = await app.NewTenantAsync();
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/password-rules", Rules(lockoutThreshold: 3, lockoutMinutes: 30));
        var employee = await app.SignedInEmployeeAsync(tenant, "agent");
        for (var i = 0; i < 2; i++)
            ((int)(await app.LoginResponseAsync(employee.Account, "Wrong#Pass2026")).StatusCode).ShouldBe(401);
        ((int)(await app.LoginResponseAsync(employee.Account, StaffSteps.OwnPassword)).StatusCode).ShouldBe(200); // resets the count
        for (var i = 0; i < 3; i++)
            ((int)(await app.LoginResponseAsync(employee.Account, "Wrong#Pass2026")).StatusCode).ShouldBe(401);
        await (await app.LoginResponseAsync(employee.Account, StaffSteps.OwnPassword)).ShouldBeProblemAsync(423, "accountLocked");
        var listed = await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees/{employee.Account}");
        listed.GetProperty("locked").GetBoolean().ShouldBeTrue();
    }
}

public sealed class PasswordRulesApiTestsOnSqlite(SqliteApp app) : PasswordRulesApiTests(app), IClassFixture<SqliteApp>;

public sealed class PasswordRulesApiTestsOnPostgres(PostgresApp app) : PasswordRulesApiTests(app), IClassFixture<PostgresApp>;
