using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Offerings;

/// <summary>The stored catalog: one row holding the whole catalog as a JSON document, edited as a whole.</summary>
public sealed class StoredCatalog
{
    public const int SingletonId = 1;
    public int Id { get; init; } = SingletonId;
    public required string Document { get; set; }
    public DateTime UpdatedAt { get; set; }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public Catalog Read() => JsonSerializer.Deserialize<Catalog>(Document, Json)
        ?? throw new InvalidOperationException("The stored catalog is empty.");

    public static string Write(Catalog catalog) => JsonSerializer.Serialize(catalog, Json);
}

internal sealed class StoredCatalogMap : IEntityTypeConfiguration<StoredCatalog>
{
    public void Configure(EntityTypeBuilder<StoredCatalog> b)
    {
        b.ToTable("Catalog");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).ValueGeneratedNever();
    }
}

/// <summary>Reads and changes the catalog of offerings (billing modes, specs, seat prices, trial offer).</summary>
public sealed class OfferingService(YunkeDb db, TimeProvider clock)
{
    public async Task<Catalog> GetAsync(CancellationToken ct = default)
    {
        var stored = await db.Set<StoredCatalog>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == StoredCatalog.SingletonId, ct);
        return stored?.Read() ?? Catalog.Default;
    }

    /// <summary>Stores the default catalog on first start, so the operator has something to edit.</summary>
    public async Task EnsureSeededAsync(CancellationToken ct = default)
    {
        if (await db.Set<StoredCatalog>().AnyAsync(ct)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        db.Add(new StoredCatalog { Document = StoredCatalog.Write(Catalog.Default), UpdatedAt = now });
        db.Audit(Actor.System, now, "offerings.seeded", "catalog");
        await db.SaveChangesAsync(ct);
    }

    public async Task<Catalog> ReplaceAsync(Actor actor, Catalog? catalog, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var v = new Validation();
        Catalog.Validate(v, catalog);
        v.ThrowIfInvalid();
        catalog = catalog!.Normalized();

        var now = clock.GetUtcNow().UtcDateTime;
        var stored = await db.Set<StoredCatalog>().SingleOrDefaultAsync(c => c.Id == StoredCatalog.SingletonId, ct);
        var document = StoredCatalog.Write(catalog);
        if (stored is null) db.Add(new StoredCatalog { Document = document, UpdatedAt = now });
        else { stored.Document = document; stored.UpdatedAt = now; }
        db.Audit(actor, now, "offerings.changed", "catalog", document.Length > 4000 ? document[..4000] : document);
        await db.SaveChangesAsync(ct);
        return catalog;
    }
}
