using Microsoft.EntityFrameworkCore;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Staff;

/// <summary>One thing a role may do, with its names for the console.</summary>
public sealed record Permission(string Code, string NameZh, string NameEn);

/// <summary>
/// The named permissions roles are built from: the one list the API's authorization, the services'
/// checks and the console's menus all read.
/// </summary>
public static class Permissions
{
    public const string EmployeesManage = "employees.manage";
    public const string RolesManage = "roles.manage";
    public const string AgentsManage = "agents.manage";
    public const string SkillQueuesManage = "skillQueues.manage";
    public const string RoutingManage = "routing.manage";
    public const string IvrManage = "ivr.manage";
    public const string WorkbenchUse = "workbench.use";
    public const string CallsMonitor = "calls.monitor";
    public const string ReportsView = "reports.view";
    public const string AuditView = "audit.view";

    public static IReadOnlyList<Permission> All { get; } =
    [
        new(EmployeesManage, "员工管理", "Manage employees and password rules"),
        new(RolesManage, "角色管理", "Manage roles"),
        new(AgentsManage, "座席管理", "Manage agents"),
        new(SkillQueuesManage, "技能队列管理", "Manage skill queues"),
        new(RoutingManage, "接入配置", "Manage called routes"),
        new(IvrManage, "IVR 管理", "Manage IVR flows"),
        new(WorkbenchUse, "座席工作台", "Use the agent workbench"),
        new(CallsMonitor, "通话监控", "Monitor calls"),
        new(ReportsView, "查看报表", "View reports"),
        new(AuditView, "查看审计日志", "View the audit log"),
    ];

    public static bool Exists(string code) => All.Any(p => p.Code == code);
}

/// <summary>A role as the API and console show it: built in, or the tenant's own.</summary>
public sealed record RoleView(string Code, string Name, bool BuiltIn, IReadOnlyList<string> Permissions);

/// <summary>The three roles every tenant has; they cannot be edited or deleted.</summary>
public static class BuiltInRoles
{
    public static IReadOnlyList<RoleView> All { get; } =
    [
        new(Roles.TenantAdmin, "租户管理员", true, Permissions.All.Select(p => p.Code).ToList()),
        new(Roles.Supervisor, "主管", true, [Permissions.WorkbenchUse, Permissions.CallsMonitor, Permissions.ReportsView]),
        new(Roles.Agent, "座席", true, [Permissions.WorkbenchUse]),
    ];

    public static RoleView? Find(string code) => All.FirstOrDefault(r => r.Code == code);

    /// <summary>Role codes a tenant may never define for itself: the built-in ones and the platform's own.</summary>
    public static bool IsReserved(string code) =>
        All.Any(r => string.Equals(r.Code, code, StringComparison.OrdinalIgnoreCase))
        || string.Equals(code, Roles.Operator, StringComparison.OrdinalIgnoreCase)
        || string.Equals(code, Roles.CloudAccount, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Resolves what an actor may do in its tenant: its roles (from its token) to permissions, built-in
/// ones from code and custom ones from the database, read fresh so a role edit applies at once.
/// </summary>
public sealed class StaffPermissions(YunkeDb db)
{
    public async Task<IReadOnlySet<string>> OfAsync(Actor actor, CancellationToken ct = default)
    {
        if (actor.TenantId is not { } tenant) return new HashSet<string>();
        var granted = actor.Roles.Select(BuiltInRoles.Find).OfType<RoleView>().SelectMany(r => r.Permissions).ToHashSet();
        var custom = actor.Roles.Where(r => BuiltInRoles.Find(r) is null).ToList();
        if (custom.Count > 0)
        {
            var lists = await db.Set<CustomRole>().AsNoTracking().Where(r => r.TenantId == tenant && custom.Contains(r.Code))
                .Select(r => r.Permissions).ToListAsync(ct);
            granted.UnionWith(lists.SelectMany(p => p));
        }
        return granted;
    }

    /// <summary>Refuses unless the actor, staff of a tenant, holds the permission.</summary>
    public Task RequireAsync(Actor actor, string permission, CancellationToken ct = default) =>
        RequireAnyAsync(actor, [permission], ct);

    /// <summary>The actor's tenant, once it is known to hold one of the permissions there.</summary>
    public async Task<Guid> TenantAsync(Actor actor, IReadOnlyCollection<string> anyOf, CancellationToken ct = default)
    {
        await RequireAnyAsync(actor, anyOf, ct);
        return actor.Tenant;
    }

    /// <summary>Refuses unless the actor, staff of a tenant, holds one of the permissions.</summary>
    public async Task RequireAnyAsync(Actor actor, IReadOnlyCollection<string> anyOf, CancellationToken ct = default)
    {
        _ = actor.Tenant;
        var granted = await OfAsync(actor, ct);
        if (!anyOf.Any(granted.Contains)) throw YunkeException.Forbidden();
    }

    /// <summary>
    /// Whoever is not a tenant admin may only hand out what it may do itself, so managing employees
    /// or roles never becomes a way to gain more rights.
    /// </summary>
    public static void EnsureMayGrant(Actor actor, IReadOnlySet<string> granted, IEnumerable<string> wanted, string field)
    {
        if (actor.Is(Roles.TenantAdmin)) return;
        var beyond = wanted.Where(p => !granted.Contains(p)).Distinct().ToList();
        if (beyond.Count > 0)
            throw new YunkeException(Problem.Forbidden, "forbidden", $"You may not grant permissions you do not hold: {string.Join(", ", beyond)}.",
                new Dictionary<string, string[]> { [field] = [$"Beyond your own permissions: {string.Join(", ", beyond)}."] });
    }
}
