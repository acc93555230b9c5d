using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Staff;

/// <summary>A tenant's own password rules ("账号和密码规则"); a tenant without a row uses the defaults.</summary>
public sealed class TenantPasswordRules
{
    public Guid TenantId { get; init; }
    public PasswordPolicy Policy { get; set; } = PasswordPolicy.Default;
    public DateTime UpdatedAt { get; set; }
}

internal sealed class TenantPasswordRulesMap : IEntityTypeConfiguration<TenantPasswordRules>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<TenantPasswordRules> b)
    {
        b.HasKey(r => r.TenantId);
        // One JSON column: the rules are read and written whole, and a rule added later takes its default for older rows.
        b.Property(r => r.Policy).HasConversion(
            p => JsonSerializer.Serialize(p, Json),
            s => JsonSerializer.Deserialize<PasswordPolicy>(s, Json) ?? PasswordPolicy.Default);
    }
}

public static class PasswordRules
{
    /// <summary>The rules that govern an account: its tenant's for staff, the defaults for everyone else.</summary>
    public static async Task<PasswordPolicy> PolicyForAsync(this YunkeDb db, Account account, CancellationToken ct) =>
        account is { Kind: AccountKind.Staff, TenantId: { } tenant } ? await db.TenantPolicyAsync(tenant, ct) : PasswordPolicy.Default;

    public static async Task<PasswordPolicy> TenantPolicyAsync(this YunkeDb db, Guid tenantId, CancellationToken ct) =>
        await db.Set<TenantPasswordRules>().AsNoTracking().Where(r => r.TenantId == tenantId)
            .Select(r => r.Policy).SingleOrDefaultAsync(ct) ?? PasswordPolicy.Default;
}

/// <summary>Reading and changing the tenant's password rules (tenant admin, or whoever manages employees).</summary>
public sealed class PasswordRulesService(YunkeDb db, StaffPermissions permissions, TimeProvider clock)
{
    public async Task<PasswordPolicy> GetAsync(Actor actor, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        return await db.TenantPolicyAsync(actor.Tenant, ct);
    }

    public async Task<PasswordPolicy> UpdateAsync(Actor actor, PasswordPolicy? policy, CancellationToken ct = default)
    {
        await permissions.RequireAsync(actor, Permissions.EmployeesManage, ct);
        if (policy is null) throw YunkeException.Invalid("body", "The password rules are required.");
        var v = new Validation();
        policy.Validate(v);
        v.ThrowIfInvalid();

        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.Set<TenantPasswordRules>().SingleOrDefaultAsync(r => r.TenantId == actor.Tenant, ct);
        if (row is null) db.Add(row = new TenantPasswordRules { TenantId = actor.Tenant });
        row.Policy = policy;
        row.UpdatedAt = now;
        db.Audit(actor, now, "passwordRules.updated", actor.Tenant.ToString(), JsonSerializer.Serialize(policy));
        await db.SaveChangesAsync(ct);
        return policy;
    }
}
