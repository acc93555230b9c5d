using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Staff;

/// <summary>Employees (业务账号, seed chapter 4 step 2): create, read, change, delete, first sign-in, and tenant isolation.</summary>
public abstract class EmployeeApiTests(YunkeApp app)
{
    [Fact]
    public async Task The_admin_creates_an_employee_in_the_default_organization_who_must_change_the_password()
    {
        var tenant = await app.NewTenantAsync();
        var account = StaffSteps.NewAccountName("acme_");
        var response = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees", StaffSteps.Employee(account, ["agent"], name: "李四"));
        ((int)response.StatusCode).ShouldBe(201);
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/employees/{account}");
        var created = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        created.TryGetProperty("id", out _).ShouldBeTrue();
        created.Str("account").ShouldBe(account);
        created.Str("name").ShouldBe("李四");
        created.Str("gender").ShouldBe("male");
        created.Str("department").ShouldBe("客服一部");
        created.Str("phone").ShouldBe("13900139000");
        created.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["agent"]);
        created.GetProperty("supervisor").ValueKind.ShouldBe(JsonValueKind.Null);
        created.Str("organizationId").ShouldBe(tenant.Id); // the default organisation
        created.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();
        created.TryGetProperty("password", out _).ShouldBeFalse();

        var read = await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees/{account.ToUpperInvariant()}");
        read.Id().ShouldBe(created.Id());
        var audit = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=employee.created")).Items().ShouldHaveSingleItem();
        audit.Str("target").ShouldBe(account);
        audit.Str("tenantId").ShouldBe(tenant.Id);
    }

    [Fact]
    public async Task A_new_employees_first_sign_in_goes_through_the_password_change_under_the_tenants_rules()
    {
        var tenant = await app.NewTenantAsync();
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/password-rules", new
        {
            minLength = 12, requireUpper = true, requireLower = true, requireDigit = true, requireSpecial = true,
            forbidAccountOrReverse = true, historyCount = 3, maxAgeDays = 90, lockoutThreshold = 5, lockoutMinutes = 15,
        });
        var account = StaffSteps.NewAccountName();
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/employees", StaffSteps.Employee(account, ["agent"], password: "Initial#Pass26"));

        var login = await app.Anonymous().PostAsync<JsonElement>("/api/v1/auth/login", new { account, password = "Initial#Pass26" });
        login.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();
        login.Str("tenantId").ShouldBe(tenant.Id);
        var first = await app.LoginAsync(account, "Initial#Pass26");
        await (await first.Http.GetAsync("/api/v1/agents")).ShouldBeProblemAsync(403, "passwordChangeRequired");
        await (await first.Http.GetAsync("/api/v1/password-rules")).ShouldBeProblemAsync(403, "passwordChangeRequired");
        (await first.GetAsync<JsonElement>("/api/v1/me")).GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();

        var weak = await first.SendPostAsync("/api/v1/auth/password", new { currentPassword = "Initial#Pass26", newPassword = "Ab#12345x" });
        (await weak.ErrorsOf(400, "validation", "newPassword")).EnumerateArray().ShouldContain(m => m.GetString()!.Contains("12"));
        var changed = await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = "Initial#Pass26", newPassword = "Changed#Pass2026" });
        changed.GetProperty("mustChangePassword").GetBoolean().ShouldBeFalse();

        var signedIn = await app.LoginAsync(account, "Changed#Pass2026");
        var me = await signedIn.GetAsync<JsonElement>("/api/v1/me");
        me.GetProperty("mustChangePassword").GetBoolean().ShouldBeFalse();
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["agent"]);
        ((int)(await app.LoginResponseAsync(account, "Initial#Pass26")).StatusCode).ShouldBe(401);
    }

    [Fact]
    public async Task Account_names_are_unique_on_the_whole_platform_and_the_error_says_so()
    {
        var tenant = await app.NewTenantAsync();
        var other = await app.NewTenantAsync();
        var theirs = (await other.AddEmployeeAsync(["agent"])).Str("account");
        foreach (var taken in new[] { theirs, theirs.ToUpperInvariant(), tenant.Owner.Account, other.Admin.Account })
        {
            var response = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees", StaffSteps.Employee(taken, ["agent"]));
            var problem = await response.ShouldBeProblemAsync(409, "accountNameTaken");
            problem.Str("detail").ShouldContain("platform");
            problem.GetProperty("errors").GetProperty("account").ToString().ShouldContain("platform");
        }
    }

    [Fact]
    public async Task Every_broken_rule_is_named_on_its_field()
    {
        var tenant = await app.NewTenantAsync();
        var account = StaffSteps.NewAccountName();
        var response = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees", new
        {
            account, name = "", phone = "call me", email = "nope", password = "abc", roles = new[] { "nobody" }, supervisor = "ghost",
        });
        var errors = (await response.ShouldBeProblemAsync(400, "validation")).GetProperty("errors");
        errors.GetProperty("password").GetArrayLength().ShouldBeGreaterThanOrEqualTo(4); // length, upper, digit, special
        foreach (var field in new[] { "name", "phone", "email", "roles", "supervisor" }) errors.TryGetProperty(field, out _).ShouldBeTrue(field);

        var reversed = new string(account.Reverse().ToArray()).ToUpperInvariant();
        var mirror = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees", StaffSteps.Employee(account, ["agent"], password: reversed));
        (await mirror.ErrorsOf(400, "validation", "password")).ToString().ShouldContain("account name");
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees?q={account}")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task A_supervisor_must_be_a_supervising_employee_of_the_same_tenant()
    {
        var tenant = await app.NewTenantAsync();
        var other = await app.NewTenantAsync();
        var lead = (await tenant.AddEmployeeAsync(["supervisor", "agent"])).Str("account");
        var plain = (await tenant.AddEmployeeAsync(["agent"])).Str("account");
        var foreign = (await other.AddEmployeeAsync(["supervisor"])).Str("account");

        var agent = await tenant.AddEmployeeAsync(["agent"], supervisor: lead);
        agent.Str("supervisor").ShouldBe(lead);
        (await tenant.AddEmployeeAsync(["agent"], supervisor: tenant.Admin.Account)).Str("supervisor").ShouldBe(tenant.Admin.Account);
        foreach (var wrong in new[] { plain, foreign })
            await (await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees",
                StaffSteps.Employee(StaffSteps.NewAccountName(), ["agent"], supervisor: wrong))).ErrorsOf(400, "validation", "supervisor");

        // A supervisor who stops supervising leaves its employees without one.
        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/employees/{lead}", new { name = "王五", roles = new[] { "agent" } });
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees/{agent.Str("account")}")).GetProperty("supervisor").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task The_list_pages_and_filters_by_organization_role_and_text()
    {
        var tenant = await app.NewTenantAsync();
        var team = await tenant.Admin.PostAsync<JsonElement>("/api/v1/organizations", new { name = "一组" });
        var a = (await tenant.AddEmployeeAsync(["agent"], organizationId: team.Id())).Str("account");
        var b = (await tenant.AddEmployeeAsync(["supervisor"], organizationId: team.Id())).Str("account");
        var c = (await tenant.AddEmployeeAsync(["agent"])).Str("account");

        var all = await tenant.Admin.GetAsync<JsonElement>("/api/v1/employees?pageSize=2");
        all.GetProperty("total").GetInt32().ShouldBe(4);
        all.Items().Count().ShouldBe(2);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/employees?page=2&pageSize=2")).Items().Select(e => e.Str("account")).ShouldBe([b, c]);
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees?organizationId={team.Id()}")).Items().Select(e => e.Str("account")).ShouldBe([a, b]);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/employees?role=agent")).Items().Select(e => e.Str("account")).ShouldBe([a, c]);
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees?q={c[3..12]}")).Items().Select(e => e.Str("account")).ShouldBe([c]);
        await (await tenant.Admin.Http.GetAsync("/api/v1/employees?pageSize=0")).ShouldBeProblemAsync(400, "validation");
    }

    [Fact]
    public async Task The_admin_changes_an_employee_and_a_reset_password_must_be_changed_again()
    {
        var tenant = await app.NewTenantAsync();
        var team = await tenant.Admin.PostAsync<JsonElement>("/api/v1/organizations", new { name = "二组" });
        var employee = await app.SignedInEmployeeAsync(tenant, "agent");

        var changed = await tenant.Admin.PutAsync<JsonElement>($"/api/v1/employees/{employee.Account}", new
        {
            name = "赵六", gender = "female", department = "二部", phone = "+86-21-5555-0000", email = "zl@example.cn",
            roles = new[] { "agent", "supervisor" }, organizationId = team.Id(), password = "Reset#Pass2026",
        });
        changed.Str("name").ShouldBe("赵六");
        changed.Str("gender").ShouldBe("female");
        changed.Str("organizationId").ShouldBe(team.Id());
        changed.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["agent", "supervisor"]);
        changed.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();
        await (await employee.Http.GetAsync("/api/v1/me")).ShouldBeProblemAsync(401); // its old token ended with the reset
        var login = await app.Anonymous().PostAsync<JsonElement>("/api/v1/auth/login", new { account = employee.Account, password = "Reset#Pass2026" });
        login.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();
        login.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["agent", "supervisor"]);

        await (await tenant.Admin.SendAsync(HttpMethod.Put, $"/api/v1/employees/{employee.Account}", new { account = "renamed", name = "x", roles = new[] { "agent" } }))
            .ErrorsOf(400, "validation", "account");
        await (await tenant.Admin.SendAsync(HttpMethod.Put, $"/api/v1/employees/{employee.Account}", new { name = "x", roles = new[] { "agent" }, password = "weak" }))
            .ErrorsOf(400, "validation", "password");
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=employee.passwordReset")).Items().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Nobody_deletes_itself_or_the_last_tenant_admin_and_a_deleted_employees_session_ends()
    {
        var tenant = await app.NewTenantAsync();
        await (await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{tenant.Admin.Account}")).ShouldBeProblemAsync(422, "cannotDeleteSelf");
        await (await tenant.Admin.SendAsync(HttpMethod.Put, $"/api/v1/employees/{tenant.Admin.Account}", new { name = "admin", roles = new[] { "agent" } }))
            .ShouldBeProblemAsync(422, "lastTenantAdmin");

        var employee = await app.SignedInEmployeeAsync(tenant, "agent");
        ((int)(await employee.Http.GetAsync("/api/v1/me")).StatusCode).ShouldBe(200);
        ((int)(await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{employee.Account}")).StatusCode).ShouldBe(204);
        await (await employee.Http.GetAsync("/api/v1/me")).ShouldBeProblemAsync(401);
        await (await tenant.Admin.Http.GetAsync($"/api/v1/employees/{employee.Account}")).ShouldBeProblemAsync(404);
        ((int)(await app.LoginResponseAsync(employee.Account, employee.Password)).StatusCode).ShouldBe(401);

        // A second admin may take over: the first one can then be removed, and the instance names the new one.
        var second = await app.SignedInEmployeeAsync(tenant, "tenantAdmin");
        ((int)(await second.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{tenant.Admin.Account}")).StatusCode).ShouldBe(204);
        var instance = await tenant.Owner.GetAsync<JsonElement>($"/api/v1/instances/{tenant.Id}");
        instance.GetProperty("tenantAdmin").Str("account").ShouldBe(second.Account);
        (await tenant.Owner.PostAsync<JsonElement>($"/api/v1/instances/{tenant.Id}/tenant-admin/password")).Str("account").ShouldBe(second.Account);
    }

    [Fact]
    public async Task Another_tenants_employees_are_out_of_reach()
    {
        var tenant = await app.NewTenantAsync();
        var other = await app.NewTenantAsync();
        var mine = (await tenant.AddEmployeeAsync(["agent"])).Str("account");

        (await other.Admin.GetAsync<JsonElement>("/api/v1/employees?pageSize=200")).Items().ShouldNotContain(e => e.Str("account") == mine);
        (await other.Admin.GetAsync<JsonElement>($"/api/v1/employees?q={mine}")).GetProperty("total").GetInt32().ShouldBe(0);
        await (await other.Admin.Http.GetAsync($"/api/v1/employees/{mine}")).ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Put, $"/api/v1/employees/{mine}", new { name = "x", roles = new[] { "agent" } })).ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/employees/{mine}")).ShouldBeProblemAsync(404);
        await (await other.Admin.Http.GetAsync($"/api/v1/employees/{tenant.Admin.Account}")).ShouldBeProblemAsync(404);
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees/{mine}")).Str("name").ShouldBe("张三");
        await (await tenant.Owner.Http.GetAsync("/api/v1/employees")).ShouldBeProblemAsync(403);
    }
}

public sealed class EmployeeApiTestsOnSqlite(SqliteApp app) : EmployeeApiTests(app), IClassFixture<SqliteApp>;

public sealed class EmployeeApiTestsOnPostgres(PostgresApp app) : EmployeeApiTests(app), IClassFixture<PostgresApp>;
