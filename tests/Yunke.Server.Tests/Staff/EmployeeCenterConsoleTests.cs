using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Staff;

/// <summary>The employee-center pages render for whoever may use them (server-side prerendering) and refuse the others.</summary>
public sealed class EmployeeCenterConsoleTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly string[] Pages = ["/config/employees", "/config/employees/new", "/config/password-rules", "/config/roles"];

    [Fact]
    public async Task The_tenant_admin_may_open_every_page_of_the_employee_center()
    {
        var tenant = await app.NewTenantAsync();
        var employee = (await tenant.AddEmployeeAsync(["agent"])).Str("account");
        var browser = await SignInAsync(tenant.Admin.Account, tenant.Admin.Password);
        foreach (var path in Pages.Append($"/config/employees/{employee}/edit"))
        {
            var page = await browser.GetAsync(path);
            ((int)page.StatusCode).ShouldBe(200, path);
            page.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe(path);
        }
    }

    [Fact]
    public async Task Pages_follow_permissions_an_agent_is_denied_and_a_role_manager_gets_only_the_roles_page()
    {
        var tenant = await app.NewTenantAsync();
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        var browser = await SignInAsync(agent.Account, agent.Password);
        foreach (var path in Pages)
            (await browser.GetAsync(path)).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/denied", path);

        var code = $"r{Guid.NewGuid():N}"[..10];
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/roles", new { code, name = "roles only", permissions = new[] { "roles.manage", "workbench.use" } });
        var manager = await app.SignedInEmployeeAsync(tenant, code);
        var managerBrowser = await SignInAsync(manager.Account, manager.Password);
        (await managerBrowser.GetAsync("/config/roles")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/config/roles");
        (await managerBrowser.GetAsync("/config/employees")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/denied");
    }

    private Task<HttpClient> SignInAsync(string account, string password) => app.ConsoleSignInAsync(account, password);
}
