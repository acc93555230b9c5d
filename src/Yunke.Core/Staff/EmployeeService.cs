using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Persistence;

namespace Yunke.Core.Staff;

/// <summary>
/// The tenant's employees (业务账号, seed chapter 4 step 2): staff accounts with a profile, roles,
/// an organisation and optionally a supervisor. Their names are unique on the whole platform and
/// their passwords follow the tenant's rules; a new or reset password must be changed at sign-in.
/// </summary>
public sealed class EmployeeService(YunkeDb db, AccountService accounts, StaffPermissions permissions,
    OrganizationService organizations, TimeProvider clock)
{
    public sealed record EmployeeInput(string? Account, string? Name, Gender? Gender, string? Department, string? Phone,
        string? Email, string? Password, List<string>? Roles, string? Supervisor, Guid? OrganizationId);

    public sealed record EmployeeView(Guid Id, string Account, string Name, Gender Gender, string Department, string Phone,
        string Email, IReadOnlyList<string> Roles, string? Supervisor, Guid? OrganizationId, bool MustChangePassword,
        bool Locked, DateTime CreatedAt);

    /// <summary>What a create or an update resolved its input to.</summary>
    private sealed record Profile(string Name, Gender Gender, string Department, string Phone, string Email,
        List<string> Roles, Guid? SupervisorId, Guid OrganizationId);

    public async Task<EmployeeView> CreateAsync(Actor actor, EmployeeInput input, CancellationToken ct = default)
    {
        var (tenant, granted) = await ManagerAsync(actor, ct);
        await organizations.EnsureDefaultAsync(tenant, ct);
        var v = new Validation();
        AccountService.ValidateAccountName(v, input.Account);
        var name = input.Account?.Trim() ?? "";
        var policy = await db.TenantPolicyAsync(tenant, ct);
        foreach (var broken in policy.Check(name, input.Password)) v.Add("password", broken);
        var profile = await ResolveAsync(tenant, v, input, self: null, ct);
        v.ThrowIfInvalid();
        StaffPermissions.EnsureMayGrant(actor, granted, await PermissionsOfAsync(tenant, profile.Roles, ct), "roles");
        await accounts.EnsureNameFreeAsync(name, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        var owner = await db.Set<Instance>().Where(i => i.Id == tenant).Select(i => (Guid?)i.OwnerAccountId).SingleOrDefaultAsync(ct);
        var account = new Account { Name = name, Kind = AccountKind.Staff, TenantId = tenant, OwnerAccountId = owner, CreatedAt = now };
        account.SetNormalizedName();
        Apply(account, profile);
        accounts.SetPassword(account, input.Password!, mustChange: true);
        db.Add(account);
        db.Audit(actor, now, "employee.created", account.Name, $"roles {string.Join(",", account.Roles)}");
        await accounts.SaveUniqueAsync(ct);
        return (await ViewsAsync([account], ct))[0];
    }

    public async Task<Page<EmployeeView>> ListAsync(Actor actor, Guid? organizationId, string? role, string? search,
        PageRequest page, CancellationToken ct = default)
    {
        var (tenant, _) = await ManagerAsync(actor, ct);
        await organizations.EnsureDefaultAsync(tenant, ct);
        var query = db.Set<Account>().AsNoTracking().Where(a => a.TenantId == tenant && a.Kind == AccountKind.Staff);
        if (organizationId is { } org) query = query.Where(a => a.OrganizationId == org);
        if (!string.IsNullOrWhiteSpace(role)) query = query.Where(a => a.Roles.Contains(role.Trim()));
        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim();
            var normalized = Account.Normalize(text);
            query = query.Where(a => a.NormalizedName.Contains(normalized) || a.DisplayName.Contains(text) || a.Phone.Contains(text));
        }
        var found = await query.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToPageAsync(page, a => a, ct);
        return new Page<EmployeeView>(await ViewsAsync(found.Items, ct), found.Total);
    }

    public async Task<EmployeeView> GetAsync(Actor actor, string account, CancellationToken ct = default)
    {
        var (tenant, _) = await ManagerAsync(actor, ct);
        return (await ViewsAsync([await FindAsync(tenant, account, track: false, ct)], ct))[0];
    }

    /// <summary>Changes profile, roles, supervisor and organisation; a password given here is a reset the employee must change.</summary>
    public async Task<EmployeeView> UpdateAsync(Actor actor, string accountName, EmployeeInput input, CancellationToken ct = default)
    {
        var (tenant, granted) = await ManagerAsync(actor, ct);
        await organizations.EnsureDefaultAsync(tenant, ct);
        var account = await FindAsync(tenant, accountName, track: true, ct);
        var v = new Validation();
        if (input.Account is not null && Account.Normalize(input.Account) != account.NormalizedName)
            v.Add("account", "The account name cannot change.");
        var resetPassword = !string.IsNullOrEmpty(input.Password);
        if (resetPassword)
            foreach (var broken in (await db.TenantPolicyAsync(tenant, ct)).Check(account.Name, input.Password)) v.Add("password", broken);
        var profile = await ResolveAsync(tenant, v, input, account, ct);
        v.ThrowIfInvalid();
        StaffPermissions.EnsureMayGrant(actor, granted, await PermissionsOfAsync(tenant, [.. account.Roles, .. profile.Roles], ct), "roles");

        var lostRoles = account.Roles.Except(profile.Roles).ToList();
        if (lostRoles.Contains(Roles.TenantAdmin)) await EnsureAnotherTenantAdminAsync(tenant, account.Id, ct);
        if (lostRoles.Count > 0 || profile.Roles.Except(account.Roles).Any())
            account.SecurityStamp = Account.NewStamp(); // roles travel in tokens: make the employee sign in again
        if (!IsSupervising(profile.Roles)) await ReleaseSubordinatesAsync(account.Id, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        Apply(account, profile);
        if (resetPassword)
        {
            accounts.SetPassword(account, input.Password!, mustChange: true);
            db.Audit(actor, now, "employee.passwordReset", account.Name);
        }
        db.Audit(actor, now, "employee.updated", account.Name, $"roles {string.Join(",", account.Roles)}");
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([account], ct))[0];
    }

    /// <summary>Deletes the account (which ends its tokens): never oneself, never the tenant's last admin.</summary>
    public async Task DeleteAsync(Actor actor, string accountName, CancellationToken ct = default)
    {
        var (tenant, granted) = await ManagerAsync(actor, ct);
        var account = await FindAsync(tenant, accountName, track: true, ct);
        if (account.Id == actor.AccountId) throw YunkeException.Rule("cannotDeleteSelf", "You cannot delete your own account.");
        StaffPermissions.EnsureMayGrant(actor, granted, await PermissionsOfAsync(tenant, account.Roles, ct), "account");
        if (account.Roles.Contains(Roles.TenantAdmin))
        {
            var other = await EnsureAnotherTenantAdminAsync(tenant, account.Id, ct);
            var instance = await db.Set<Instance>().SingleOrDefaultAsync(i => i.Id == tenant, ct);
            if (instance?.TenantAdminAccountId == account.Id) instance.TenantAdminAccountId = other;
        }
        await ReleaseSubordinatesAsync(account.Id, ct);
        db.Remove(account);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "employee.deleted", account.Name);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The tenant of an actor allowed to manage employees, and the permissions it holds.</summary>
    private async Task<(Guid Tenant, IReadOnlySet<string> Granted)> ManagerAsync(Actor actor, CancellationToken ct)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        return (actor.Tenant, await permissions.OfAsync(actor, ct));
    }

    private async Task<Account> FindAsync(Guid tenant, string name, bool track, CancellationToken ct)
    {
        var normalized = Account.Normalize(name);
        var query = db.Set<Account>().Where(a => a.NormalizedName == normalized && a.TenantId == tenant && a.Kind == AccountKind.Staff);
        if (!track) query = query.AsNoTracking();
        return await query.SingleOrDefaultAsync(ct) ?? throw YunkeException.NotFound("The employee");
    }

    private async Task<Profile> ResolveAsync(Guid tenant, Validation v, EmployeeInput input, Account? self, CancellationToken ct)
    {
        v.Required("name", input.Name, 64).Optional("department", input.Department, 64);
        if (!string.IsNullOrWhiteSpace(input.Phone)) v.Phone("phone", input.Phone);
        if (!string.IsNullOrWhiteSpace(input.Email)) v.Email("email", input.Email);
        if (input.Gender is { } g && !Enum.IsDefined(g)) v.Add("gender", "gender must be unspecified, male or female.");

        var roles = (input.Roles ?? []).Select(r => r?.Trim() ?? "").Distinct().ToList();
        if (roles.Count == 0) v.Add("roles", "Give the employee at least one role.");
        var custom = await db.Set<CustomRole>().Where(r => r.TenantId == tenant).Select(r => r.Code).ToListAsync(ct);
        foreach (var unknown in roles.Where(r => BuiltInRoles.Find(r) is null && !custom.Contains(r)))
            v.Add("roles", $"'{unknown}' is not a role of this instance.");

        Guid? supervisorId = null;
        if (!string.IsNullOrWhiteSpace(input.Supervisor))
        {
            var normalized = Account.Normalize(input.Supervisor);
            var supervisor = await db.Set<Account>().AsNoTracking()
                .Where(a => a.NormalizedName == normalized && a.TenantId == tenant && a.Kind == AccountKind.Staff)
                .Select(a => new { a.Id, a.Roles }).SingleOrDefaultAsync(ct);
            if (supervisor is null) v.Add("supervisor", "No such employee in this instance.");
            else if (supervisor.Id == self?.Id) v.Add("supervisor", "An employee cannot supervise itself.");
            else if (!IsSupervising(supervisor.Roles)) v.Add("supervisor", "The supervisor must hold the supervisor or tenant admin role.");
            else supervisorId = supervisor.Id;
        }

        var organizationId = input.OrganizationId ?? self?.OrganizationId ?? tenant;
        if (!await db.Set<Organization>().AnyAsync(o => o.Id == organizationId && o.TenantId == tenant, ct))
            v.Add("organizationId", "No such organization in this instance.");

        return new Profile(input.Name?.Trim() ?? "", input.Gender ?? Gender.Unspecified, input.Department?.Trim() ?? "",
            input.Phone?.Trim() ?? "", input.Email?.Trim() ?? "", roles, supervisorId, organizationId);
    }

    private static void Apply(Account account, Profile p)
    {
        account.DisplayName = p.Name;
        account.Gender = p.Gender;
        account.Department = p.Department;
        account.Phone = p.Phone;
        account.Email = p.Email;
        account.Roles = p.Roles;
        account.SupervisorId = p.SupervisorId;
        account.OrganizationId = p.OrganizationId;
    }

    private static bool IsSupervising(IEnumerable<string> roles) => roles.Any(r => r is Roles.Supervisor or Roles.TenantAdmin);

    private async Task<IReadOnlyList<string>> PermissionsOfAsync(Guid tenant, IEnumerable<string> roles, CancellationToken ct)
    {
        var codes = roles.ToList();
        var custom = await db.Set<CustomRole>().AsNoTracking().Where(r => r.TenantId == tenant && codes.Contains(r.Code))
            .Select(r => r.Permissions).ToListAsync(ct);
        return codes.Select(BuiltInRoles.Find).OfType<RoleView>().SelectMany(r => r.Permissions)
            .Concat(custom.SelectMany(p => p)).Distinct().ToList();
    }

    /// <summary>Another tenant admin than <paramref name="except"/>, or the refusal that would leave the tenant without one.</summary>
    private async Task<Guid> EnsureAnotherTenantAdminAsync(Guid tenant, Guid except, CancellationToken ct) =>
        await db.Set<Account>().Where(a => a.TenantId == tenant && a.Id != except && a.Roles.Contains(Roles.TenantAdmin))
            .OrderBy(a => a.CreatedAt).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct)
        ?? throw YunkeException.Rule("lastTenantAdmin", "This is the instance's last tenant admin; make another employee tenant admin first.");

    private async Task ReleaseSubordinatesAsync(Guid supervisorId, CancellationToken ct)
    {
        foreach (var subordinate in await db.Set<Account>().Where(a => a.SupervisorId == supervisorId).ToListAsync(ct))
            subordinate.SupervisorId = null;
    }

    private async Task<List<EmployeeView>> ViewsAsync(IReadOnlyList<Account> employees, CancellationToken ct)
    {
        var supervisorIds = employees.Select(e => e.SupervisorId).OfType<Guid>().Distinct().ToList();
        var names = await db.Set<Account>().AsNoTracking().Where(a => supervisorIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return employees.Select(a => new EmployeeView(a.Id, a.Name, a.DisplayName, a.Gender, a.Department, a.Phone, a.Email, a.Roles,
            a.SupervisorId is { } s ? names.GetValueOrDefault(s) : null, a.OrganizationId, a.MustChangePassword,
            a.LockedUntil > now, a.CreatedAt)).ToList();
    }
}
