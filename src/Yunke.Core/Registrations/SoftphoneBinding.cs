using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.Registrations;

/// <summary>
/// One registered contact of an agent's softphone (RFC 3261 10: a binding of the address of record, the
/// softphone number, to a contact), as one registrar received it. Immutable: a refresh makes a new
/// snapshot with the same <see cref="Id"/>, so readers of the live view never see half an update.
/// </summary>
public sealed class SoftphoneBinding
{
    public const int MaxContactLength = 1024;
    public const int MaxCallIdLength = 256;

    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public required string AgentId { get; init; }
    /// <summary>The contact URI as the phone sent it, without the header's parameters.</summary>
    public required string Contact { get; init; }
    /// <summary>udp, tcp or ws: how the REGISTER arrived, and so how the phone is reached.</summary>
    public required string Transport { get; init; }
    /// <summary>The registrar that took it, "host:port" as the softphone settings list it.</summary>
    public required string Registrar { get; init; }
    /// <summary>Where the REGISTER came from, "address:port": the far side of a NAT, where requests to the phone go.</summary>
    public required string Source { get; init; }
    public required string CallId { get; init; }
    public long CSeq { get; init; }
    public DateTime RegisteredAt { get; init; }
    public DateTime ExpiresAt { get; init; }

    public bool IsLiveAt(DateTime now) => ExpiresAt > now;

    /// <summary>Seconds left, rounded up, for the Contact expires of a 200 OK.</summary>
    public int SecondsLeftAt(DateTime now) => Math.Max(0, (int)Math.Ceiling((ExpiresAt - now).TotalSeconds));
}

internal sealed class SoftphoneBindingMap : IEntityTypeConfiguration<SoftphoneBinding>
{
    public void Configure(EntityTypeBuilder<SoftphoneBinding> b)
    {
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.AgentId).HasMaxLength(32);
        b.Property(x => x.Contact).HasMaxLength(SoftphoneBinding.MaxContactLength);
        b.Property(x => x.Transport).HasMaxLength(8);
        b.Property(x => x.Registrar).HasMaxLength(128);
        b.Property(x => x.Source).HasMaxLength(64);
        b.Property(x => x.CallId).HasMaxLength(SoftphoneBinding.MaxCallIdLength);
        // No unique index: bindings are written behind in batches, and a contact removed and added again in one
        // batch must not trip over itself. The live view keeps them unique.
        b.HasIndex(x => new { x.TenantId, x.AgentId });
        b.HasIndex(x => x.ExpiresAt);
    }
}
