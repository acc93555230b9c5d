using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Staff;

/// <summary>A role a tenant built from named permissions, next to the built-in ones.</summary>
public sealed class CustomRole
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public required string Code { get; init; }
    public required string Name { get; set; }
    public List<string> Permissions { get; set; } = [];
    public DateTime CreatedAt { get; init; }

    public RoleView View() => new(Code, Name, false, Permissions);
}

internal sealed class CustomRoleMap : IEntityTypeConfiguration<CustomRole>
{
    public void Configure(EntityTypeBuilder<CustomRole> b)
    {
        b.HasKey(r => r.Id);
        b.HasIndex(r => new { r.TenantId, r.Code }).IsUnique();
        b.Property(r => r.Code).HasMaxLength(32);
        b.Property(r => r.Name).HasMaxLength(64);
    }
}

/// <summary>The tenant's roles: the three built-in ones and its custom ones.</summary>
public sealed partial class RoleService(YunkeDb db, StaffPermissions permissions, TimeProvider clock)
{
    public sealed record RoleInput(string? Code, string? Name, List<string>? Permissions);

    /// <summary>Built-in roles first, then the tenant's own by name; whoever manages employees needs them to assign roles.</summary>
    public async Task<IReadOnlyList<RoleView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        await permissions.RequireAnyAsync(actor, [Permissions.EmployeesManage, Permissions.RolesManage], ct);
        return await AllOfTenantAsync(actor.Tenant, ct);
    }

    internal async Task<IReadOnlyList<RoleView>> AllOfTenantAsync(Guid tenant, CancellationToken ct)
    {
        var custom = await db.Set<CustomRole>().AsNoTracking().Where(r => r.TenantId == tenant)
            .OrderBy(r => r.Name).ThenBy(r => r.Code).ToListAsync(ct);
        return [.. BuiltInRoles.All, .. custom.Select(r => r.View())];
    }

    public async Task<RoleView> GetAsync(Actor actor, string code, CancellationToken ct = default)
    {
        await permissions.RequireAnyAsync(actor, [Permissions.EmployeesManage, Permissions.RolesManage], ct);
        return BuiltInRoles.Find(code) ?? (await FindCustomAsync(actor.Tenant, code, ct)).View();
    }

    public async Task<RoleView> CreateAsync(Actor actor, RoleInput input, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.RolesManage, ct);
        var v = new Validation();
        if (!v.Required("code", input.Code, 32).Has("code"))
        {
            if (!CodePattern().IsMatch(input.Code!.Trim()))
                v.Add("code", "The code must be 2 to 32 letters, digits, '_' or '-', starting with a letter.");
            else if (BuiltInRoles.IsReserved(input.Code.Trim()))
                v.Add("code", $"'{input.Code.Trim()}' is a built-in role.");
        }
        var permissionCodes = ValidateRole(v, input);
        v.ThrowIfInvalid();
        StaffPermissions.EnsureMayGrant(actor, await permissions.OfAsync(actor, ct), permissionCodes, "permissions");

        var code = input.Code!.Trim();
        if (await db.Set<CustomRole>().AnyAsync(r => r.TenantId == actor.Tenant && r.Code == code, ct))
            throw RoleCodeTaken(code);
        var now = clock.GetUtcNow().UtcDateTime;
        var role = new CustomRole { TenantId = actor.Tenant, Code = code, Name = input.Name!.Trim(), Permissions = permissionCodes, CreatedAt = now };
        db.Add(role);
        db.Audit(actor, now, "role.created", code, string.Join(",", permissionCodes));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { throw RoleCodeTaken(code); }
        return role.View();
    }

    public async Task<RoleView> UpdateAsync(Actor actor, string code, RoleInput input, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.RolesManage, ct);
        EnsureNotBuiltIn(code);
        var role = await FindCustomAsync(actor.Tenant, code, ct, track: true);
        var v = new Validation();
        var permissionCodes = ValidateRole(v, input);
        v.ThrowIfInvalid();
        StaffPermissions.EnsureMayGrant(actor, await permissions.OfAsync(actor, ct), permissionCodes, "permissions");

        role.Name = input.Name!.Trim();
        role.Permissions = permissionCodes;
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "role.updated", role.Code, string.Join(",", permissionCodes));
        await db.SaveChangesAsync(ct);
        return role.View();
    }

    public async Task DeleteAsync(Actor actor, string code, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.RolesManage, ct);
        EnsureNotBuiltIn(code);
        var role = await FindCustomAsync(actor.Tenant, code, ct, track: true);
        var holders = await db.Set<Account>().CountAsync(a => a.TenantId == actor.Tenant && a.Roles.Contains(role.Code), ct);
        if (holders > 0)
            throw YunkeException.Conflict("roleInUse", $"The role '{role.Code}' is held by {holders} employee(s); take it from them first.");
        db.Remove(role);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "role.deleted", role.Code);
        await db.SaveChangesAsync(ct);
    }

    private static List<string> ValidateRole(Validation v, RoleInput input)
    {
        v.Required("name", input.Name, 64);
        var codes = (input.Permissions ?? []).Select(p => p?.Trim() ?? "").Distinct().ToList();
        if (codes.Count == 0) v.Add("permissions", "Choose at least one permission.");
        foreach (var unknown in codes.Where(p => !Permissions.Exists(p)))
            v.Add("permissions", $"'{unknown}' is not a permission; GET /api/v1/permissions lists them.");
        return codes;
    }

    private static void EnsureNotBuiltIn(string code)
    {
        if (BuiltInRoles.Find(code) is not null)
            throw YunkeException.Rule("builtInRole", $"The built-in role '{code}' cannot be changed or deleted.");
    }

    private async Task<CustomRole> FindCustomAsync(Guid tenant, string code, CancellationToken ct, bool track = false)
    {
        var query = db.Set<CustomRole>().Where(r => r.TenantId == tenant && r.Code == code);
        if (!track) query = query.AsNoTracking();
        return await query.SingleOrDefaultAsync(ct) ?? throw YunkeException.NotFound("The role");
    }

    private static YunkeException RoleCodeTaken(string code) => new(Problem.Conflict, "roleCodeTaken",
        $"This tenant already has a role '{code}'.", new Dictionary<string, string[]> { ["code"] = ["This role code is already used."] });

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{1,31}$")]
    private static partial Regex CodePattern();
}
