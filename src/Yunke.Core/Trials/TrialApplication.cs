using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.Trials;

public enum TrialStatus
{
    Submitted,
    Approved,
    Rejected,
    /// <summary>Closed without a decision because the account opened the service for commercial use.</summary>
    Closed,
}

/// <summary>A free trial application (申请免费试用), reviewed by the operator.</summary>
public sealed class TrialApplication
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid AccountId { get; init; }
    public required string Company { get; init; }
    public required string ContactName { get; init; }
    public required string ContactPhone { get; init; }
    public required string Email { get; init; }
    public TrialStatus Status { get; set; }
    public string? Reason { get; set; }
    /// <summary>The trial instance approval provisioned.</summary>
    public Guid? InstanceId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? DecidedAt { get; set; }
}

internal sealed class TrialApplicationMap : IEntityTypeConfiguration<TrialApplication>
{
    public void Configure(EntityTypeBuilder<TrialApplication> b)
    {
        b.HasKey(t => t.Id);
        // At most one open application per account, even when two submissions race past the service's check.
        b.HasIndex(t => t.AccountId).IsUnique().HasFilter("\"Status\" = 'Submitted'").HasDatabaseName("IX_TrialApplication_OneOpenPerAccount");
        b.HasIndex(t => t.Status);
        b.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(t => t.Company).HasMaxLength(200);
        b.Property(t => t.ContactName).HasMaxLength(64);
        b.Property(t => t.ContactPhone).HasMaxLength(32);
        b.Property(t => t.Email).HasMaxLength(254);
        b.Property(t => t.Reason).HasMaxLength(500);
    }
}
