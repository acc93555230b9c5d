using Microsoft.EntityFrameworkCore;
using Yunke.Core.Agents;
using Yunke.Core.Common;
using Yunke.Core.Numbers;
using Yunke.Core.Persistence;
using Yunke.Core.SkillQueues;
using Yunke.Core.Staff;

namespace Yunke.Core.Calls;

/// <summary>Where call recordings are kept: <c>DataDir/recordings</c>, one WAV per call.</summary>
public sealed record CallRecordings(string Directory)
{
    public string PathOf(string fileName) => Path.Combine(Directory, Path.GetFileName(fileName));
}

/// <summary>
/// Call records (话单) and their recordings. Supervisors and report readers see every call of the tenant;
/// an agent with only the workbench sees the calls it took.
/// </summary>
public sealed class CallService(YunkeDb db, StaffPermissions permissions, AgentService agents, CallRecordings recordings)
{
    /// <summary>Who may open call records at all; <see cref="VisibleAsync"/> narrows an agent to its own calls.</summary>
    public static readonly IReadOnlyList<string> ReadPermissions = [Permissions.CallsMonitor, Permissions.ReportsView, Permissions.WorkbenchUse];

    public sealed record CallView(Guid Id, CallDirection Direction, string Caller, string Callee, Guid? SkillQueueId, string? SkillQueueName,
        string? AgentId, DateTime OfferedAt, DateTime? AnsweredAt, DateTime EndedAt, int WaitSeconds, int TalkSeconds, CallResult Result,
        string? Reason, string? RecordingUrl)
    {
        /// <summary>The queue's name as it is now (null once the queue is deleted: the record keeps its id).</summary>
        public static CallView From(CallRecord c, string? queueName) => new(c.Id, c.Direction, c.Caller, c.Callee, c.SkillQueueId, queueName,
            c.AgentId, c.OfferedAt, c.AnsweredAt, c.EndedAt, c.WaitSeconds, c.TalkSeconds, c.Result, c.Reason,
            c.RecordingFile is null ? null : $"/api/v1/calls/{c.Id}/recording");
    }

    /// <summary>Calls offered in [from, to), newest first.</summary>
    public async Task<Page<CallView>> ListAsync(Actor actor, DateTime? from, DateTime? to, PageRequest page, CancellationToken ct = default)
    {
        new Validation().Check("to", from is null || to is null || to > from, "to must be after from.").ThrowIfInvalid();
        var query = await VisibleAsync(actor, ct);
        if (from is { } f) query = query.Where(c => c.OfferedAt >= f.ToUniversalTime());
        if (to is { } t) query = query.Where(c => c.OfferedAt < t.ToUniversalTime());
        var records = await query.OrderByDescending(c => c.OfferedAt).ThenByDescending(c => c.Id).ToPageAsync(page, c => c, ct);
        var names = await QueueNamesAsync(records.Items, ct);
        return new Page<CallView>(records.Items.Select(c => CallView.From(c, QueueName(names, c))).ToList(), records.Total);
    }

    public async Task<CallView> GetAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        var call = await FindAsync(actor, id, ct);
        return CallView.From(call, QueueName(await QueueNamesAsync([call], ct), call));
    }

    /// <summary>The call's recording file; 404 when the call was not recorded or the file is gone.</summary>
    public async Task<string> RecordingPathAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        var call = await FindAsync(actor, id, ct);
        var path = call.RecordingFile is null ? null : recordings.PathOf(call.RecordingFile);
        return path is not null && File.Exists(path) ? path : throw YunkeException.NotFound("recording");
    }

    /// <summary>The number an outbound call of the tenant shows: the instance's first number.</summary>
    public async Task<string> CallerIdAsync(Guid tenantId, CancellationToken ct = default) =>
        await db.Set<PhoneNumber>().AsNoTracking().Where(n => n.InstanceId == tenantId).OrderBy(n => n.Number).Select(n => n.Number).FirstOrDefaultAsync(ct)
        ?? throw YunkeException.Rule("noNumber", "The instance has no number to call customers from.");

    /// <summary>
    /// Keeps the record of a call that ended. Written by the platform as the call ends, not by a person, so no
    /// audit entry: the record is itself the log of what happened.
    /// </summary>
    public async Task RecordAsync(CallRecord record, CancellationToken ct = default)
    {
        db.Add(record);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The names of the queues a page of calls went through, in one query.</summary>
    private async Task<Dictionary<Guid, string>> QueueNamesAsync(IReadOnlyCollection<CallRecord> calls, CancellationToken ct)
    {
        var ids = calls.Where(c => c.SkillQueueId is not null).Select(c => c.SkillQueueId!.Value).Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Set<SkillQueue>().AsNoTracking().Where(q => ids.Contains(q.Id)).ToDictionaryAsync(q => q.Id, q => q.Name, ct);
    }

    private static string? QueueName(Dictionary<Guid, string> names, CallRecord call) =>
        call.SkillQueueId is { } id && names.TryGetValue(id, out var name) ? name : null;

    private async Task<CallRecord> FindAsync(Actor actor, Guid id, CancellationToken ct) =>
        await (await VisibleAsync(actor, ct)).FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw YunkeException.NotFound("call");

    private async Task<IQueryable<CallRecord>> VisibleAsync(Actor actor, CancellationToken ct)
    {
        var tenant = actor.Tenant;
        var granted = await permissions.OfAsync(actor, ct);
        var calls = db.Set<CallRecord>().AsNoTracking().Where(c => c.TenantId == tenant);
        if (granted.Contains(Permissions.CallsMonitor) || granted.Contains(Permissions.ReportsView)) return calls;
        if (!granted.Contains(Permissions.WorkbenchUse)) throw YunkeException.Forbidden();
        var agent = await agents.FindByAccountAsync(tenant, actor.AccountId, ct);
        return agent is null ? calls.Where(_ => false) : calls.Where(c => c.AgentId == agent.AgentId);
    }
}
