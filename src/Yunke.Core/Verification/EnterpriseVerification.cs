using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Accounts;

namespace Yunke.Core.Verification;

/// <summary>An enterprise's application for real-name verification (企业实名认证), reviewed by the operator.</summary>
public sealed class EnterpriseVerification
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid AccountId { get; init; }
    public required string EnterpriseName { get; init; }
    public required string CreditCode { get; init; }
    public required string LegalPerson { get; init; }
    public VerificationStatus Status { get; set; } = VerificationStatus.Pending;
    public string? Reason { get; set; }
    public DateTime SubmittedAt { get; init; }
    public DateTime? ReviewedAt { get; set; }
    public string? ReviewedBy { get; set; }
}

internal sealed class EnterpriseVerificationMap : IEntityTypeConfiguration<EnterpriseVerification>
{
    public void Configure(EntityTypeBuilder<EnterpriseVerification> b)
    {
        b.HasKey(v => v.Id);
        b.HasIndex(v => v.AccountId);
        b.HasIndex(v => new { v.Status, v.SubmittedAt });
        b.HasIndex(v => v.CreditCode);
        b.Property(v => v.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(v => v.EnterpriseName).HasMaxLength(100);
        b.Property(v => v.CreditCode).HasMaxLength(18);
        b.Property(v => v.LegalPerson).HasMaxLength(50);
        b.Property(v => v.Reason).HasMaxLength(500);
        b.HasOne<Account>().WithMany().HasForeignKey(v => v.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
