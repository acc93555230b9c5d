using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Staff;

/// <summary>A node of a tenant's organisation tree (组织); employees belong to one.</summary>
public sealed class Organization
{
    public const string DefaultName = "默认组织";

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public Guid? ParentId { get; set; }
    public required string Name { get; set; }
    public bool IsDefault { get; init; }
    public DateTime CreatedAt { get; init; }

    /// <summary>
    /// The organisation every instance starts with. It shares its tenant's id, so creating it twice
    /// (a lazy creation racing another) fails on the key instead of leaving two.
    /// </summary>
    public static Organization DefaultFor(Guid tenantId, DateTime now) =>
        new() { Id = tenantId, TenantId = tenantId, Name = DefaultName, IsDefault = true, CreatedAt = now };
}

internal sealed class OrganizationMap : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> b)
    {
        b.HasKey(o => o.Id);
        b.HasIndex(o => o.TenantId);
        b.Property(o => o.Name).HasMaxLength(64);
    }
}

/// <summary>The tenant's organisation tree: list, add, rename or move, delete when empty.</summary>
public sealed class OrganizationService(YunkeDb db, StaffPermissions permissions, TimeProvider clock)
{
    public sealed record OrganizationInput(string? Name, Guid? ParentId);
    public sealed record OrganizationView(Guid Id, string Name, Guid? ParentId, bool IsDefault, int EmployeeCount);

    /// <summary>The whole tree as a flat list (parents before children, siblings by name), with head counts.</summary>
    public async Task<IReadOnlyList<OrganizationView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        await EnsureDefaultAsync(actor.Tenant, ct);
        var all = await db.Set<Organization>().AsNoTracking().Where(o => o.TenantId == actor.Tenant).ToListAsync(ct);
        var counts = await db.Set<Account>().Where(a => a.TenantId == actor.Tenant && a.OrganizationId != null)
            .GroupBy(a => a.OrganizationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key!.Value, g => g.Count, ct);
        var children = all.ToLookup(o => o.ParentId);
        var ordered = new List<OrganizationView>();
        void Walk(Guid? parent)
        {
            foreach (var o in children[parent].OrderByDescending(o => o.IsDefault).ThenBy(o => o.Name, StringComparer.Ordinal))
            {
                ordered.Add(new OrganizationView(o.Id, o.Name, o.ParentId, o.IsDefault, counts.GetValueOrDefault(o.Id)));
                Walk(o.Id);
            }
        }
        Walk(null);
        return ordered;
    }

    public async Task<OrganizationView> CreateAsync(Actor actor, OrganizationInput input, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        await EnsureDefaultAsync(actor.Tenant, ct);
        var v = new Validation().Required("name", input.Name, 64);
        v.ThrowIfInvalid();
        if (input.ParentId is { } parent) await FindAsync(actor.Tenant, parent, "parentId", ct);
        await EnsureNameFreeAsync(actor.Tenant, input.ParentId, input.Name!.Trim(), null, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        var organization = new Organization { TenantId = actor.Tenant, ParentId = input.ParentId, Name = input.Name!.Trim(), CreatedAt = now };
        db.Add(organization);
        db.Audit(actor, now, "organization.created", organization.Name, organization.Id.ToString());
        await db.SaveChangesAsync(ct);
        return new OrganizationView(organization.Id, organization.Name, organization.ParentId, false, 0);
    }

    /// <summary>Renames or moves a node; the default one can be renamed but stays at the top.</summary>
    public async Task<OrganizationView> UpdateAsync(Actor actor, Guid id, OrganizationInput input, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        await EnsureDefaultAsync(actor.Tenant, ct);
        var organization = await db.Set<Organization>().SingleOrDefaultAsync(o => o.Id == id && o.TenantId == actor.Tenant, ct)
            ?? throw YunkeException.NotFound("The organization");
        var v = new Validation().Required("name", input.Name, 64);
        if (organization.IsDefault && input.ParentId is not null) v.Add("parentId", "The default organization stays at the top of the tree.");
        v.ThrowIfInvalid();
        if (input.ParentId is { } parent)
        {
            await FindAsync(actor.Tenant, parent, "parentId", ct);
            var all = await db.Set<Organization>().AsNoTracking().Where(o => o.TenantId == actor.Tenant)
                .ToDictionaryAsync(o => o.Id, o => o.ParentId, ct);
            for (Guid? at = parent; at is { } node; at = all.GetValueOrDefault(node))
                if (node == id) throw YunkeException.Invalid("parentId", "An organization cannot move under itself or one of its descendants.");
        }
        await EnsureNameFreeAsync(actor.Tenant, input.ParentId, input.Name!.Trim(), id, ct);

        organization.Name = input.Name!.Trim();
        organization.ParentId = input.ParentId;
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "organization.updated", organization.Name, organization.Id.ToString());
        await db.SaveChangesAsync(ct);
        var count = await db.Set<Account>().CountAsync(a => a.OrganizationId == id, ct);
        return new OrganizationView(organization.Id, organization.Name, organization.ParentId, organization.IsDefault, count);
    }

    public async Task DeleteAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        var organization = await db.Set<Organization>().SingleOrDefaultAsync(o => o.Id == id && o.TenantId == actor.Tenant, ct)
            ?? throw YunkeException.NotFound("The organization");
        if (organization.IsDefault)
            throw YunkeException.Rule("defaultOrganization", "The default organization cannot be deleted.");
        if (await db.Set<Organization>().AnyAsync(o => o.ParentId == id, ct))
            throw YunkeException.Conflict("organizationHasChildren", "Delete or move the organization's sub-organizations first.");
        if (await db.Set<Account>().AnyAsync(a => a.OrganizationId == id, ct))
            throw YunkeException.Conflict("organizationHasEmployees", "Move or delete the organization's employees first.");
        db.Remove(organization);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "organization.deleted", organization.Name, organization.Id.ToString());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Creates the default organisation of an instance that predates organisations, and puts its
    /// staff without one into it. Instances created since get it with the instance itself.
    /// </summary>
    internal async Task EnsureDefaultAsync(Guid tenant, CancellationToken ct)
    {
        if (await db.Set<Organization>().AnyAsync(o => o.Id == tenant, ct)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var created = Organization.DefaultFor(tenant, now);
        db.Add(created);
        var homeless = await db.Set<Account>().Where(a => a.TenantId == tenant && a.OrganizationId == null).ToListAsync(ct);
        foreach (var account in homeless) account.OrganizationId = tenant;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Another request created it first: fine, as long as it exists now.
            db.Entry(created).State = EntityState.Detached;
            foreach (var account in homeless) db.Entry(account).State = EntityState.Detached;
            if (!await db.Set<Organization>().AnyAsync(o => o.Id == tenant, ct)) throw;
        }
    }

    internal async Task<Organization> FindAsync(Guid tenant, Guid id, string field, CancellationToken ct) =>
        await db.Set<Organization>().AsNoTracking().SingleOrDefaultAsync(o => o.Id == id && o.TenantId == tenant, ct)
        ?? throw YunkeException.Invalid(field, "No such organization in this instance.");

    private async Task EnsureNameFreeAsync(Guid tenant, Guid? parent, string name, Guid? except, CancellationToken ct)
    {
        if (await db.Set<Organization>().AnyAsync(o => o.TenantId == tenant && o.ParentId == parent && o.Name == name && o.Id != except, ct))
            throw new YunkeException(Problem.Conflict, "organizationNameTaken", $"There is already an organization '{name}' here.",
                new Dictionary<string, string[]> { ["name"] = ["An organization with this name already exists at this place of the tree."] });
    }
}
