using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Staff;

/// <summary>The organisation tree: the default organisation, adding, moving, deleting, and tenant isolation.</summary>
public abstract class OrganizationApiTests(YunkeApp app)
{
    private static async Task<List<JsonElement>> TreeAsync(ApiClient admin) =>
        (await admin.GetAsync<JsonElement>("/api/v1/organizations")).Items().ToList();

    [Fact]
    public async Task Every_instance_starts_with_the_default_organization_holding_its_admin()
    {
        var tenant = await app.NewTenantAsync();
        var tree = await TreeAsync(tenant.Admin);
        var root = tree.ShouldHaveSingleItem();
        root.Str("name").ShouldBe("默认组织");
        root.GetProperty("isDefault").GetBoolean().ShouldBeTrue();
        root.GetProperty("employeeCount").GetInt32().ShouldBe(1);
        var admin = await tenant.Admin.GetAsync<JsonElement>($"/api/v1/employees/{tenant.Admin.Account}");
        admin.Str("organizationId").ShouldBe(root.Id());
    }

    [Fact]
    public async Task A_trial_instance_starts_with_the_default_organization_too()
    {
        var account = await app.NewVerifiedAccountAsync();
        var application = await account.PostAsync<JsonElement>("/api/v1/me/trial-applications", new
        {
            company = "杭州试用科技有限公司", contactName = "王五", contactPhone = "13912345678", email = "trial@example.cn", agreePrivacyPolicy = true,
        });
        var approved = await (await app.OperatorAsync()).PostAsync<JsonElement>($"/api/v1/operator/trial-applications/{application.Id()}/approve");
        var tenant = Guid.Parse(approved.Str("instanceId"));

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        var organization = await db.Set<Organization>().SingleAsync(o => o.TenantId == tenant);
        organization.Id.ShouldBe(tenant);
        organization.Name.ShouldBe("默认组织");
        organization.IsDefault.ShouldBeTrue();
        (await db.Set<Yunke.Core.Accounts.Account>().SingleAsync(a => a.TenantId == tenant)).OrganizationId.ShouldBe(tenant);
    }

    [Fact]
    public async Task An_instance_that_predates_organizations_gets_its_default_one_on_first_use()
    {
        var tenant = await app.NewTenantAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
            var id = Guid.Parse(tenant.Id);
            await db.Set<Yunke.Core.Accounts.Account>().Where(a => a.TenantId == id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.OrganizationId, (Guid?)null));
            await db.Set<Organization>().Where(o => o.TenantId == id).ExecuteDeleteAsync();
        }
        var root = (await TreeAsync(tenant.Admin)).ShouldHaveSingleItem();
        root.Str("name").ShouldBe("默认组织");
        root.GetProperty("employeeCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task The_tree_grows_moves_and_shrinks_under_its_rules()
    {
        var tenant = await app.NewTenantAsync();
        var root = (await TreeAsync(tenant.Admin)).Single();
        var response = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/organizations", new { name = "客服部", parentId = root.Id() });
        ((int)response.StatusCode).ShouldBe(201);
        var service = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        var team = await tenant.Admin.PostAsync<JsonElement>("/api/v1/organizations", new { name = "一组", parentId = service.Id() });
        var top = await tenant.Admin.PostAsync<JsonElement>("/api/v1/organizations", new { name = "销售部" });

        var tree = await TreeAsync(tenant.Admin);
        tree.Select(o => o.Str("name")).ShouldBe(["默认组织", "客服部", "一组", "销售部"]);
        tree[2].Str("parentId").ShouldBe(service.Id());

        await (await tenant.Admin.SendAsync(HttpMethod.Post, "/api/v1/organizations", new { name = "一组", parentId = service.Id() }))
            .ShouldBeProblemAsync(409, "organizationNameTaken");
        await (await tenant.Admin.SendAsync(HttpMethod.Put, $"/api/v1/organizations/{service.Id()}", new { name = "客服部", parentId = team.Id() }))
            .ShouldBeProblemAsync(400, "validation");
        await (await tenant.Admin.SendAsync(HttpMethod.Put, $"/api/v1/organizations/{root.Id()}", new { name = "总部", parentId = top.Id() }))
            .ShouldBeProblemAsync(400, "validation");
        (await tenant.Admin.PutAsync<JsonElement>($"/api/v1/organizations/{team.Id()}", new { name = "二组", parentId = top.Id() }))
            .Str("parentId").ShouldBe(top.Id());

        await (await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/organizations/{root.Id()}")).ShouldBeProblemAsync(422, "defaultOrganization");
        await (await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/organizations/{top.Id()}")).ShouldBeProblemAsync(409, "organizationHasChildren");
        var employee = await tenant.AddEmployeeAsync(["agent"], organizationId: service.Id());
        employee.Str("organizationId").ShouldBe(service.Id());
        await (await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/organizations/{service.Id()}")).ShouldBeProblemAsync(409, "organizationHasEmployees");
        ((int)(await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/organizations/{team.Id()}")).StatusCode).ShouldBe(204);
        (await TreeAsync(tenant.Admin)).Select(o => o.Str("name")).ShouldBe(["默认组织", "客服部", "销售部"]);
    }

    [Fact]
    public async Task Another_tenants_organizations_are_out_of_reach()
    {
        var tenant = await app.NewTenantAsync();
        var other = await app.NewTenantAsync();
        var mine = await tenant.Admin.PostAsync<JsonElement>("/api/v1/organizations", new { name = "客服部" });

        (await TreeAsync(other.Admin)).ShouldNotContain(o => o.Id() == mine.Id());
        await (await other.Admin.SendAsync(HttpMethod.Put, $"/api/v1/organizations/{mine.Id()}", new { name = "x" })).ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/organizations/{mine.Id()}")).ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/organizations/{tenant.Id}")).ShouldBeProblemAsync(404);
        await (await other.Admin.SendAsync(HttpMethod.Post, "/api/v1/organizations", new { name = "x", parentId = mine.Id() }))
            .ErrorsOf(400, "validation", "parentId");
        await (await other.Admin.SendAsync(HttpMethod.Post, "/api/v1/employees",
            StaffSteps.Employee(StaffSteps.NewAccountName(), ["agent"], organizationId: mine.Id()))).ErrorsOf(400, "validation", "organizationId");
    }
}

public sealed class OrganizationApiTestsOnSqlite(SqliteApp app) : OrganizationApiTests(app), IClassFixture<SqliteApp>;

public sealed class OrganizationApiTestsOnPostgres(PostgresApp app) : OrganizationApiTests(app), IClassFixture<PostgresApp>;
