using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.Instances;

public enum InstanceStatus
{
    Active,
    /// <summary>A trial ended by commercial use, or any instance shut down: its staff can no longer sign in.</summary>
    Ended,
}

/// <summary>A call center instance (呼叫中心实例): one tenant, with its seats, numbers and staff.</summary>
public sealed class Instance
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    /// <summary>The cloud account that bought (or trials) it.</summary>
    public Guid OwnerAccountId { get; init; }
    public InstanceStatus Status { get; set; }
    public bool IsTrial { get; init; }
    public required string BillingMode { get; init; }
    public required string Spec { get; init; }
    public int PeriodMonths { get; init; }
    public int VoiceSeats { get; init; }
    public int VideoSeats { get; init; }
    public int MultimediaSeats { get; init; }
    public Guid TenantAdminAccountId { get; set; }
    public DateTime CreatedAt { get; init; }
    /// <summary>When a prepaid period or a trial runs out; null for pay per use.</summary>
    public DateTime? ExpiresAt { get; init; }
    public DateTime? EndedAt { get; set; }

    public Seats Seats => new(VoiceSeats, VideoSeats, MultimediaSeats);

    /// <summary>Whether its staff may work in it now.</summary>
    public bool IsUsableAt(DateTime now) => Status == InstanceStatus.Active && (!IsTrial || ExpiresAt is null || ExpiresAt > now);
}

internal sealed class InstanceMap : IEntityTypeConfiguration<Instance>
{
    public void Configure(EntityTypeBuilder<Instance> b)
    {
        b.HasKey(i => i.Id);
        b.HasIndex(i => i.OwnerAccountId);
        b.Property(i => i.Name).HasMaxLength(64);
        b.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(i => i.BillingMode).HasMaxLength(32);
        b.Property(i => i.Spec).HasMaxLength(32);
        b.Ignore(i => i.Seats);
    }
}

public enum OrderStatus { Paid }

/// <summary>An order (我的订单): what was bought, priced line by line as the quote showed it.</summary>
public sealed class Order
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid AccountId { get; init; }
    public Guid InstanceId { get; init; }
    public required string InstanceName { get; init; }
    public OrderStatus Status { get; set; }
    public required string BillingMode { get; init; }
    public required string Spec { get; init; }
    public int PeriodMonths { get; init; }
    public required string Currency { get; init; }
    public decimal Total { get; init; }
    public List<QuoteLine> Lines { get; init; } = [];
    public DateTime CreatedAt { get; init; }
}

internal sealed class OrderMap : IEntityTypeConfiguration<Order>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.HasKey(o => o.Id);
        b.HasIndex(o => o.AccountId);
        b.Property(o => o.InstanceName).HasMaxLength(64);
        b.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.BillingMode).HasMaxLength(32);
        b.Property(o => o.Spec).HasMaxLength(32);
        b.Property(o => o.Currency).HasMaxLength(3);
        // The lines are a snapshot read and written with the order, never queried: one JSON column.
        b.Property(o => o.Lines).HasConversion(
            lines => JsonSerializer.Serialize(lines, Json),
            text => JsonSerializer.Deserialize<List<QuoteLine>>(text, Json) ?? new List<QuoteLine>(),
            new ValueComparer<List<QuoteLine>>((a, c) => a!.SequenceEqual(c!), l => l.Aggregate(0, (h, x) => HashCode.Combine(h, x)), l => l.ToList()));
    }
}
