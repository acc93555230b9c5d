using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.Idempotency;

/// <summary>
/// A creating request sent with an <c>Idempotency-Key</c>: the key is claimed before the command runs and
/// the response kept for a day, so a repeated submission gets the same answer instead of a second resource.
/// </summary>
public sealed class IdempotentRequest
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public long Id { get; init; }
    public Guid AccountId { get; init; }
    public required string Key { get; init; }
    /// <summary>Method and path, so one key cannot be replayed against another endpoint.</summary>
    public required string Endpoint { get; init; }
    /// <summary>0 while the first request is still running.</summary>
    public int StatusCode { get; set; }
    /// <summary>The response body, encrypted: it may hold a one-time password.</summary>
    public string? ProtectedBody { get; set; }
    public string? Location { get; set; }
    public DateTime CreatedAt { get; init; }
}

internal sealed class IdempotentRequestMap : IEntityTypeConfiguration<IdempotentRequest>
{
    public void Configure(EntityTypeBuilder<IdempotentRequest> b)
    {
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedOnAdd();
        b.Property(r => r.Key).HasMaxLength(100);
        b.Property(r => r.Endpoint).HasMaxLength(300);
        b.Property(r => r.Location).HasMaxLength(300);
        b.HasIndex(r => new { r.AccountId, r.Key }).IsUnique();
        b.HasIndex(r => r.CreatedAt);
    }
}
