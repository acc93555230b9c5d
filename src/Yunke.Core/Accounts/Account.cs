using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.Accounts;

public enum AccountKind
{
    /// <summary>The platform's own operator.</summary>
    Operator,
    /// <summary>An enterprise's cloud account: signs up, verifies, buys.</summary>
    Cloud,
    /// <summary>An account inside one call center instance: tenant admin, supervisor, agent.</summary>
    Staff,
}

public enum Gender { Unspecified, Male, Female }

public enum VerificationStatus { None, Pending, Verified, Rejected }

/// <summary>
/// Every login of the platform. Account names are unique across the whole platform, whatever
/// the kind, so a name alone says who is signing in.
/// </summary>
public sealed class Account
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; init; }
    /// <summary>Upper-case form of <see cref="Name"/>, for case-insensitive uniqueness.</summary>
    public string NormalizedName { get; private set; } = "";
    public string DisplayName { get; set; } = "";
    public required AccountKind Kind { get; init; }
    public List<string> Roles { get; set; } = [];
    /// <summary>The call center instance a staff account belongs to.</summary>
    public Guid? TenantId { get; init; }
    /// <summary>The cloud account that owns this staff account's instance; for cloud accounts, itself.</summary>
    public Guid? OwnerAccountId { get; set; }
    public string Email { get; set; } = "";
    public string Phone { get; set; } = "";
    /// <summary>Employee profile (业务账号) of a staff account: gender, department, organisation and supervisor.</summary>
    public Gender Gender { get; set; }
    public string Department { get; set; } = "";
    public Guid? OrganizationId { get; set; }
    /// <summary>Another staff account of the same tenant, holding the supervisor or tenant admin role.</summary>
    public Guid? SupervisorId { get; set; }
    public string PasswordHash { get; set; } = "";
    public DateTime PasswordChangedAt { get; set; }
    /// <summary>Hashes of earlier passwords, newest first, so a rule can forbid reuse.</summary>
    public List<string> PasswordHistory { get; set; } = [];
    public bool MustChangePassword { get; set; }
    /// <summary>Changes whenever credentials or standing change; tokens carrying an older one stop working.</summary>
    public string SecurityStamp { get; set; } = NewStamp();
    public int FailedLogins { get; set; }
    public DateTime? LockedUntil { get; set; }
    public bool Frozen { get; set; }
    public bool Restricted { get; set; }
    public string? StandingReason { get; set; }
    public VerificationStatus Verification { get; set; }
    public string? EnterpriseName { get; set; }
    /// <summary>When the cloud account opened the service for commercial use.</summary>
    public DateTime? CommercialSince { get; set; }
    public DateTime CreatedAt { get; init; }

    public static string Normalize(string name) => name.Trim().ToUpperInvariant();

    public static string NewStamp() => Guid.NewGuid().ToString("N");

    internal void SetNormalizedName() => NormalizedName = Normalize(Name);
}

internal sealed class AccountMap : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.HasKey(a => a.Id);
        b.Property(a => a.Name).HasMaxLength(64);
        b.Property(a => a.NormalizedName).HasMaxLength(64);
        b.HasIndex(a => a.NormalizedName).IsUnique();
        b.HasIndex(a => a.TenantId);
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.Gender).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.Department).HasMaxLength(64);
        b.HasIndex(a => a.OrganizationId);
        b.Property(a => a.Verification).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.SecurityStamp).IsConcurrencyToken();
    }
}
