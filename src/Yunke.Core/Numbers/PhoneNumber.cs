using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Common;

namespace Yunke.Core.Numbers;

public enum NumberKind
{
    /// <summary>A platform number bought through a purchase request (月租 + 通话费).</summary>
    Purchased,
    /// <summary>The enterprise's own number, docked by the platform.</summary>
    Own,
    /// <summary>A platform number lent to a free trial; released when the trial ends.</summary>
    Experience,
}

public enum NumberStatus
{
    /// <summary>Not usable yet: an own number still being docked.</summary>
    Pending,
    /// <summary>Can be put on an instance.</summary>
    Available,
    /// <summary>On an instance.</summary>
    InUse,
    /// <summary>Given back (a trial's experience number after commercial use).</summary>
    Released,
}

public enum DockingStatus { Docking, Completed }

/// <summary>A telephone number of the platform; unique across all accounts, on at most one instance.</summary>
public sealed partial class PhoneNumber
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Number { get; init; }
    public required NumberKind Kind { get; init; }
    public NumberStatus Status { get; set; }
    /// <summary>Only for own numbers.</summary>
    public DockingStatus? DockingStatus { get; set; }
    public Guid OwnerAccountId { get; init; }
    public Guid? InstanceId { get; set; }
    public Guid? PurchaseRequestId { get; init; }
    public decimal MonthlyRent { get; init; }
    public decimal PerMinute { get; init; }
    public string Carrier { get; init; } = "";
    public DateTime CreatedAt { get; init; }

    /// <summary>Purchased numbers, and own numbers once docked, can go on an instance that has none yet.</summary>
    public bool IsOrderable => Status == NumberStatus.Available && InstanceId is null
        && (Kind == NumberKind.Purchased || (Kind == NumberKind.Own && DockingStatus == Numbers.DockingStatus.Completed));

    /// <summary>A number is digits with an optional leading +, 5 to 20 digits.</summary>
    public static bool IsWellFormed(string? number) => number is not null && Pattern().IsMatch(number);

    public static Validation CheckFormat(Validation v, string field, string? number)
    {
        if (v.Required(field, number, 21).Has(field)) return v;
        return v.Check(field, IsWellFormed(number!.Trim()), $"{field} must be 5 to 20 digits, optionally with a leading +.");
    }

    [GeneratedRegex(@"^\+?[0-9]{5,20}$")]
    private static partial Regex Pattern();
}

internal sealed class PhoneNumberMap : IEntityTypeConfiguration<PhoneNumber>
{
    public void Configure(EntityTypeBuilder<PhoneNumber> b)
    {
        b.HasKey(n => n.Id);
        b.Property(n => n.Number).HasMaxLength(21);
        b.HasIndex(n => n.Number).IsUnique();
        b.HasIndex(n => n.OwnerAccountId);
        b.HasIndex(n => n.InstanceId);
        // Putting a number on an instance updates only where it is still free, so two orders cannot both take it.
        b.Property(n => n.InstanceId).IsConcurrencyToken();
        b.Property(n => n.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(n => n.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(n => n.DockingStatus).HasConversion<string>().HasMaxLength(16);
        b.Property(n => n.Carrier).HasMaxLength(64);
    }
}

public enum RequestStatus { Submitted, Fulfilled, Rejected }

/// <summary>
/// A request for platform numbers (申请购买号码): the enterprise describes what it needs; the operator
/// obtains numbers from a carrier and fulfils the request with them.
/// </summary>
public sealed class NumberPurchaseRequest
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid AccountId { get; init; }
    public required string Requirements { get; init; }
    public required string BusinessDescription { get; init; }
    public required string Script { get; init; }
    public RequestStatus Status { get; set; }
    public string? Reason { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? DecidedAt { get; set; }
}

internal sealed class NumberPurchaseRequestMap : IEntityTypeConfiguration<NumberPurchaseRequest>
{
    public void Configure(EntityTypeBuilder<NumberPurchaseRequest> b)
    {
        b.HasKey(r => r.Id);
        b.HasIndex(r => r.AccountId);
        b.HasIndex(r => r.Status);
        b.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.Requirements).HasMaxLength(2000);
        b.Property(r => r.BusinessDescription).HasMaxLength(2000);
        b.Property(r => r.Script).HasMaxLength(4000);
        b.Property(r => r.Reason).HasMaxLength(500);
    }
}
