using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yunke.Core.Persistence;

namespace Yunke.Core.Registrations;

/// <summary>
/// Writes bindings behind the live store, so the registrar answers without waiting for the database.
/// Per binding only the newest change is kept: a snapshot to save, or null to delete.
/// </summary>
internal sealed class BindingWriter(IServiceScopeFactory scopes, ILogger log)
    : WriteBehind<Guid, SoftphoneBinding?>(scopes, log, "softphone binding changes")
{
    public void Save(SoftphoneBinding binding) => Write(binding.Id, binding);

    public void Delete(Guid id) => Write(id, null);

    protected override async Task ApplyAsync(YunkeDb db, IReadOnlyList<KeyValuePair<Guid, SoftphoneBinding?>> batch)
    {
        var ids = batch.Select(b => b.Key).ToList();
        var rows = await db.Set<SoftphoneBinding>().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id);
        foreach (var (id, binding) in batch)
        {
            var row = rows.GetValueOrDefault(id);
            if (binding is null) { if (row is not null) db.Remove(row); }
            else if (row is null) db.Add(binding);
            else db.Entry(row).CurrentValues.SetValues(binding);
        }
    }
}
