using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yunke.Core.Persistence;

namespace Yunke.Core.Registrations;

/// <summary>
/// Writes bindings behind the live store, so the registrar answers without waiting for the database.
/// Per binding only the newest change is kept: a snapshot to save, or null to delete. A batch is one delete
/// statement and one upsert (<c>INSERT … ON CONFLICT DO UPDATE</c>, the same on SQLite and PostgreSQL) in one
/// transaction: no rows loaded and tracked first, as a wave of new registrations would otherwise cost.
/// </summary>
internal sealed class BindingWriter(IServiceScopeFactory scopes, ILogger log)
    : WriteBehind<Guid, SoftphoneBinding?>(scopes, log, "softphone binding changes")
{
    // Both databases take at least 32,766 parameters in one statement; 11 columns a row.
    private const int RowsPerStatement = 1000;

    public void Save(SoftphoneBinding binding) => Write(binding.Id, binding);

    public void Delete(Guid id) => Write(id, null);

    protected override async Task ApplyAsync(YunkeDb db, IReadOnlyList<KeyValuePair<Guid, SoftphoneBinding?>> batch)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        var deleted = batch.Where(b => b.Value is null).Select(b => b.Key).ToList();
        if (deleted.Count > 0) await db.Set<SoftphoneBinding>().Where(b => deleted.Contains(b.Id)).ExecuteDeleteAsync();
        var saved = batch.Select(b => b.Value).OfType<SoftphoneBinding>().ToList();
        foreach (var rows in saved.Chunk(RowsPerStatement))
        {
            var (sql, columns) = Upsert(db, rows.Length);
            await db.Database.ExecuteSqlRawAsync(sql, rows.SelectMany(row => columns.Select(c => c.GetGetter().GetClrValue(row))).ToArray()!);
        }
        await transaction.CommitAsync();
    }

    // The statement from the model's own table and column names, with {n} placeholders EF turns into typed parameters
    // (so a Guid or DateTime is stored exactly as EF itself stores it on each database).
    private static (string Sql, IReadOnlyList<IProperty> Columns) Upsert(YunkeDb db, int rows)
    {
        var entity = db.Model.FindEntityType(typeof(SoftphoneBinding))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties().ToList();
        string Name(IProperty p) => $"\"{p.GetColumnName(table)}\"";
        var values = Enumerable.Range(0, rows).Select(r => "(" + string.Join(", ", columns.Select((_, c) => $"{{{r * columns.Count + c}}}")) + ")");
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var sql = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", columns.Select(Name))}) VALUES {string.Join(", ", values)} " +
                  $"ON CONFLICT ({Name(key)}) DO UPDATE SET {string.Join(", ", columns.Where(c => c != key).Select(c => $"{Name(c)} = excluded.{Name(c)}"))}";
        return (sql, columns);
    }
}
