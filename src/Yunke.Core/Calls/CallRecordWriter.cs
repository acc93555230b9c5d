using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yunke.Core.Persistence;

namespace Yunke.Core.Calls;

/// <summary>
/// Writes the records of ended calls behind the calls: at hundreds of calls a second that is one transaction per
/// batch instead of one a call, and an ending call never waits for the database. Disposing it writes what is left.
/// </summary>
public sealed class CallRecordWriter(IServiceScopeFactory scopes, ILogger log) : WriteBehind<Guid, CallRecord>(scopes, log, "call records")
{
    public void Write(CallRecord record)
    {
        Write(record.Id, record);
        Flush();
    }

    protected override Task ApplyAsync(YunkeDb db, IReadOnlyList<KeyValuePair<Guid, CallRecord>> batch)
    {
        db.AddRange(batch.Select(b => b.Value));
        return Task.CompletedTask;
    }
}
