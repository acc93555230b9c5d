using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Audit;

/// <summary>One change: who, when, what, from where. Written in the same transaction as the change itself.</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public Guid ActorId { get; init; }
    public required string ActorName { get; init; }
    public string? RemoteIp { get; init; }
    /// <summary>The instance the change belongs to, so its tenant admin can read it.</summary>
    public Guid? TenantId { get; init; }
    public required string Action { get; init; }
    public required string Target { get; init; }
    public string Detail { get; init; } = "";
}

internal sealed class AuditEntryMap : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).ValueGeneratedOnAdd();
        b.HasIndex(e => e.At);
        b.HasIndex(e => new { e.TenantId, e.At });
        b.Property(e => e.Action).HasMaxLength(64);
        b.Property(e => e.ActorName).HasMaxLength(64);
        b.Property(e => e.RemoteIp).HasMaxLength(64);
    }
}

public static class AuditExtensions
{
    /// <summary>Adds an entry to the unit of work; it is saved, or dropped, with the change it describes.</summary>
    public static void Audit(this YunkeDb db, Actor actor, DateTime at, string action, string target,
        string detail = "", Guid? tenantId = null) =>
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            At = at,
            ActorId = actor.AccountId,
            ActorName = actor.Account,
            RemoteIp = actor.RemoteIp,
            TenantId = tenantId ?? actor.TenantId,
            Action = action,
            Target = target,
            Detail = detail,
        });
}

/// <summary>Reading the audit log: the operator sees all of it, a tenant admin its own tenant's part.</summary>
public sealed class AuditLog(YunkeDb db)
{
    public sealed record Item(long Id, DateTime At, string Actor, string? RemoteIp, Guid? TenantId, string Action, string Target, string Detail);

    public Task<Page<Item>> ListAsync(Actor actor, PageRequest page, string? action = null, CancellationToken ct = default)
    {
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (actor.Is(Roles.Operator)) { }
        else if (actor.Is(Roles.TenantAdmin)) query = query.Where(e => e.TenantId == actor.Tenant);
        else throw YunkeException.Forbidden();
        if (!string.IsNullOrWhiteSpace(action)) query = query.Where(e => e.Action == action);
        return query.OrderByDescending(e => e.Id)
            .ToPageAsync(page, e => new Item(e.Id, e.At, e.ActorName, e.RemoteIp, e.TenantId, e.Action, e.Target, e.Detail), ct);
    }
}
