using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Staff;

/// <summary>Built-in and custom roles, the permissions they are made of, and how the API authorises with them.</summary>
public abstract class RoleApiTests(YunkeApp app)
{
    private static string NewCode() => $"r{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task The_three_built_in_roles_come_first_and_cannot_change()
    {
        var tenant = await app.NewTenantAsync();
        var permissions = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/permissions")).EnumerateArray().ToList();
        permissions.Select(p => p.Str("code")).ShouldContain("employees.manage");
        permissions.ShouldAllBe(p => p.Str("nameZh").Length > 0 && p.Str("nameEn").Length > 0);

        var roles = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/roles")).Items().ToList();
        roles.Take(3).Select(r => r.Str("code")).ShouldBe(["tenantAdmin", "supervisor", "agent"]);
        roles.Take(3).ShouldAllBe(r => r.GetProperty("builtIn").GetBoolean());
        roles[0].GetProperty("permissions").GetArrayLength().ShouldBe(permissions.Count);
        roles[2].GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldBe(["workbench.use"]);

        await (await tenant.Admin.SendAsync(HttpMethod.Put, "/api/v1/roles/agent", new { name = "x", permissions = new[] { "reports.view" } }))
            .ShouldBeProblemAsync(422, "builtInRole");
        await (await tenant.Admin.SendAsync(HttpMethod.Delete, "/api/v1/roles/supervisor")).ShouldBeProblemAsync(422, "builtInRole");
    }

    [Fact]
    public async Task A_custom_role_is_created_edited_and_deleted_once_nobody_holds_it()
    {
        var tenant = await app.NewTenantAsync();
        var code = NewCode();
        var response = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/roles",
            new { code, name = "质检员", permissions = new[] { "calls.monitor", "reports.view" } });
        ((int)response.StatusCode).ShouldBe(201);
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/roles/{code}");
        var created = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        created.GetProperty("builtIn").GetBoolean().ShouldBeFalse();
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/roles")).Items().Last().Str("code").ShouldBe(code);

        var edited = await tenant.Admin.PutAsync<JsonElement>($"/api/v1/roles/{code}", new { name = "质检组长", permissions = new[] { "calls.monitor" } });
        edited.Str("name").ShouldBe("质检组长");
        edited.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldBe(["calls.monitor"]);

        await (await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/roles", new { code, name = "again", permissions = new[] { "reports.view" } }))
            .ShouldBeProblemAsync(409, "roleCodeTaken");

        var holder = await tenant.AddEmployeeAsync([code]);
        await (await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/roles/{code}")).ShouldBeProblemAsync(409, "roleInUse");
        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/employees/{holder.Str("account")}",
            new { name = "张三", roles = new[] { "agent" } });
        ((int)(await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/roles/{code}")).StatusCode).ShouldBe(204);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/roles")).Items().ShouldNotContain(r => r.Str("code") == code);
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=role.deleted")).Items().ShouldHaveSingleItem().Str("target").ShouldBe(code);
    }

    [Fact]
    public async Task Bad_roles_are_refused_field_by_field()
    {
        var tenant = await app.NewTenantAsync();
        var bad = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/roles", new { code = "agent", name = "", permissions = new[] { "fly.plane" } });
        var errors = (await bad.ShouldBeProblemAsync(400, "validation")).GetProperty("errors");
        errors.GetProperty("code").ToString().ShouldContain("built-in");
        errors.TryGetProperty("name", out _).ShouldBeTrue();
        errors.GetProperty("permissions").ToString().ShouldContain("fly.plane");
        await (await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/roles", new { code = "bad code!", name = "n", permissions = Array.Empty<string>() }))
            .ShouldBeProblemAsync(400, "validation");
    }

    [Fact]
    public async Task Another_tenants_roles_are_invisible()
    {
        var tenant = await app.NewTenantAsync();
        var other = await app.NewTenantAsync();
        var code = NewCode();
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/roles", new { code, name = "mine", permissions = new[] { "reports.view" } });

        (await other.Admin.GetAsync<JsonElement>("/api/v1/roles")).Items().ShouldNotContain(r => r.Str("code") == code);
        await (await other.Admin.Http.GetAsync($"/api/v1/roles/{code}")).ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Put, $"/api/v1/roles/{code}", new { name = "theirs", permissions = new[] { "audit.view" } }))
            .ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/roles/{code}")).ShouldBeProblemAsync(404);
        var assign = await other.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees", StaffSteps.Employee(StaffSteps.NewAccountName(), [code]));
        (await assign.ErrorsOf(400, "validation", "roles")).ToString().ShouldContain(code);
        // Same code, separate tenants: allowed.
        await other.Admin.PostAsync<JsonElement>("/api/v1/roles", new { code, name = "theirs", permissions = new[] { "audit.view" } });
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/roles/{code}")).Str("name").ShouldBe("mine");
    }

    [Fact]
    public async Task Endpoints_authorise_by_permission_and_nobody_grants_more_than_it_holds()
    {
        var tenant = await app.NewTenantAsync();
        var code = NewCode();
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/roles", new { code, name = "HR", permissions = new[] { "employees.manage", "workbench.use" } });
        var hr = await app.SignedInEmployeeAsync(tenant, code);
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");

        (await hr.GetAsync<JsonElement>("/api/v1/employees")).GetProperty("total").GetInt32().ShouldBe(3);
        await hr.PostAsync<JsonElement>("/api/v1/employees", StaffSteps.Employee(StaffSteps.NewAccountName(), ["agent"]));
        await (await hr.SendAsync(HttpMethod.Post, "/api/v1/employees", StaffSteps.Employee(StaffSteps.NewAccountName(), ["tenantAdmin"])))
            .ShouldBeProblemAsync(403);
        await (await hr.SendAsync(HttpMethod.Put, $"/api/v1/employees/{tenant.Admin.Account}", new { name = "x", roles = new[] { "tenantAdmin" }, password = "Stolen#Pass2026" }))
            .ShouldBeProblemAsync(403);
        await (await hr.SendAsync(HttpMethod.Post, "/api/v1/roles", new { code = NewCode(), name = "x", permissions = new[] { "reports.view" } }))
            .ShouldBeProblemAsync(403);

        await (await agent.Http.GetAsync("/api/v1/employees")).ShouldBeProblemAsync(403);
        await (await agent.Http.GetAsync("/api/v1/roles")).ShouldBeProblemAsync(403);

        // A custom role's new permissions apply to its holders at their next request.
        await tenant.Admin.PutAsync<JsonElement>($"/api/v1/roles/{code}", new { name = "HR", permissions = new[] { "reports.view" } });
        await (await hr.Http.GetAsync("/api/v1/employees")).ShouldBeProblemAsync(403);
    }
}

public sealed class RoleApiTestsOnSqlite(SqliteApp app) : RoleApiTests(app), IClassFixture<SqliteApp>;

public sealed class RoleApiTestsOnPostgres(PostgresApp app) : RoleApiTests(app), IClassFixture<PostgresApp>;
