using Yunke.Core.Accounts;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>The employee center (配置中心 > 员工中心) of a tenant: password rules, roles, organisations, employees.</summary>
public static class StaffEndpoints
{
    public static void MapStaffEndpoints(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/password-rules").RequirePermission(Permissions.EmployeesManage);
        rules.MapGet("", (PasswordRulesService service, HttpContext http) => service.GetAsync(http.Actor(), http.RequestAborted))
            .WithSummary("The tenant's account and password rules (账号和密码规则).");
        rules.MapPut("", (PasswordPolicy body, PasswordRulesService service, HttpContext http) =>
                service.UpdateAsync(http.Actor(), body, http.RequestAborted))
            .WithSummary("Replace the tenant's password rules; they govern its employees' passwords, their age and lock-out.");

        api.MapGet("/permissions", () => Permissions.All)
            .RequirePermission(Permissions.EmployeesManage, Permissions.RolesManage)
            .WithSummary("The named permissions custom roles are built from.");

        var roles = api.MapGroup("/roles");
        roles.MapGet("", async (RoleService service, HttpContext http) => Whole(await service.ListAsync(http.Actor(), http.RequestAborted)))
            .RequirePermission(Permissions.EmployeesManage, Permissions.RolesManage)
            .WithSummary("The built-in roles tenantAdmin, supervisor and agent, then the tenant's custom roles.");
        roles.MapGet("/{code}", (string code, RoleService service, HttpContext http) => service.GetAsync(http.Actor(), code, http.RequestAborted))
            .RequirePermission(Permissions.EmployeesManage, Permissions.RolesManage);
        roles.MapPost("", async (RoleService.RoleInput body, RoleService service, HttpContext http) =>
            {
                var role = await service.CreateAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/roles/{role.Code}", role);
            })
            .RequirePermission(Permissions.RolesManage)
            .WithSummary("Create a custom role from named permissions.");
        roles.MapPut("/{code}", (string code, RoleService.RoleInput body, RoleService service, HttpContext http) =>
                service.UpdateAsync(http.Actor(), code, body, http.RequestAborted))
            .RequirePermission(Permissions.RolesManage)
            .WithSummary("Rename a custom role or change its permissions (built-in roles cannot change).");
        roles.MapDelete("/{code}", async (string code, RoleService service, HttpContext http) =>
            {
                await service.DeleteAsync(http.Actor(), code, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.RolesManage)
            .WithSummary("Delete a custom role no employee holds.");

        var organizations = api.MapGroup("/organizations").RequirePermission(Permissions.EmployeesManage);
        organizations.MapGet("", async (OrganizationService service, HttpContext http) =>
                Whole(await service.ListAsync(http.Actor(), http.RequestAborted)))
            .WithSummary("The organisation tree as a flat list with parentId (parents first); it starts with 默认组织.");
        organizations.MapPost("", async (OrganizationService.OrganizationInput body, OrganizationService service, HttpContext http) =>
            {
                var organization = await service.CreateAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/organizations/{organization.Id}", organization);
            })
            .WithSummary("Add an organisation, at the top or under parentId.");
        organizations.MapPut("/{id:guid}", (Guid id, OrganizationService.OrganizationInput body, OrganizationService service, HttpContext http) =>
                service.UpdateAsync(http.Actor(), id, body, http.RequestAborted))
            .WithSummary("Rename or move an organisation.");
        organizations.MapDelete("/{id:guid}", async (Guid id, OrganizationService service, HttpContext http) =>
            {
                await service.DeleteAsync(http.Actor(), id, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete an organisation without employees or sub-organisations (not the default one).");

        var employees = api.MapGroup("/employees").RequirePermission(Permissions.EmployeesManage);
        employees.MapPost("", async (EmployeeService.EmployeeInput body, EmployeeService service, HttpContext http) =>
            {
                var employee = await service.CreateAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/employees/{Uri.EscapeDataString(employee.Account)}", employee);
            })
            .WithSummary("Create an employee (业务账号); the account name is unique on the whole platform, the password follows the tenant's rules and must be changed at first sign-in.");
        employees.MapGet("", (Guid? organizationId, string? role, string? q, int? page, int? pageSize, EmployeeService service, HttpContext http) =>
                service.ListAsync(http.Actor(), organizationId, role, q, PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The tenant's employees, oldest first; filter by organisation, role or a search text.");
        employees.MapGet("/{account}", (string account, EmployeeService service, HttpContext http) =>
                service.GetAsync(http.Actor(), account, http.RequestAborted))
            .WithSummary("One employee.");
        employees.MapPut("/{account}", (string account, EmployeeService.EmployeeInput body, EmployeeService service, HttpContext http) =>
                service.UpdateAsync(http.Actor(), account, body, http.RequestAborted))
            .WithSummary("Change an employee's profile, roles, supervisor or organisation; a password here resets it (to be changed at sign-in).");
        employees.MapDelete("/{account}", async (string account, EmployeeService service, HttpContext http) =>
            {
                await service.DeleteAsync(http.Actor(), account, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete an employee (not yourself, not the last tenant admin); its sessions end.");
    }

    /// <summary>A short list answered whole, in the shape of every list of the API.</summary>
    private static Page<T> Whole<T>(IReadOnlyList<T> items) => new(items, items.Count);
}
