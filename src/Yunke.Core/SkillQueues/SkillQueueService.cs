using Microsoft.EntityFrameworkCore;
using Yunke.Core.Agents;
using Yunke.Core.AgentStates;
using Yunke.Core.Audit;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Common;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;

namespace Yunke.Core.SkillQueues;

/// <summary>The tenant admin's skill queues (配置中心 > 员工中心 > 技能队列).</summary>
public sealed class SkillQueueService(YunkeDb db, StaffPermissions permissions, AgentStateHub hub, TimeProvider clock, CallTargets targets)
{
    public const int MaxNameLength = 64;
    public const int MaxQueueLengthLimit = 1000;
    public const int MaxWaitSecondsLimit = 3600;
    public const int MaxWrapUpSeconds = 600;

    public sealed record QueueInput(string? Name, MediaType? MediaType, int? MaxQueueLength, int? MaxWaitSeconds, int? WrapUpSeconds);

    public sealed record QueueView(Guid Id, string Name, MediaType MediaType, int MaxQueueLength, int MaxWaitSeconds, int WrapUpSeconds)
    {
        public static QueueView From(SkillQueue q) => new(q.Id, q.Name, q.MediaType, q.MaxQueueLength, q.MaxWaitSeconds, q.WrapUpSeconds);
    }

    public async Task<QueueView> CreateAsync(Actor actor, QueueInput input, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.SkillQueuesManage], ct);
        Validate(input);
        var name = input.Name!.Trim();
        await EnsureNameFreeAsync(tenant, name, null, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var queue = new SkillQueue { TenantId = tenant, Name = name, CreatedAt = now };
        Apply(queue, input);
        db.Add(queue);
        db.Audit(actor, now, "skillQueue.created", queue.Name, Describe(queue));
        await SaveAsync(ct);
        return QueueView.From(queue);
    }

    /// <summary>Whoever binds agents to queues or routes numbers to them needs to see them, not only who manages them.</summary>
    public static readonly IReadOnlyList<string> ReadPermissions = [Permissions.SkillQueuesManage, Permissions.AgentsManage, Permissions.RoutingManage];

    public async Task<Page<QueueView>> ListAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, ReadPermissions, ct);
        return await db.Set<SkillQueue>().AsNoTracking().Where(q => q.TenantId == tenant)
            .OrderBy(q => q.CreatedAt).ThenBy(q => q.Id).ToPageAsync(page, QueueView.From, ct);
    }

    public async Task<QueueView> GetAsync(Actor actor, Guid id, CancellationToken ct = default) =>
        QueueView.From(await FindAsync(await permissions.TenantAsync(actor, ReadPermissions, ct), id, ct));

    /// <summary>Replaces the queue's settings; a new media type must still fit every agent linked to it.</summary>
    public async Task<QueueView> UpdateAsync(Actor actor, Guid id, QueueInput input, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.SkillQueuesManage], ct);
        var queue = await FindAsync(tenant, id, ct);
        Validate(input);
        var name = input.Name!.Trim();
        await EnsureNameFreeAsync(tenant, name, id, ct);
        if (input.MediaType is { } media && media != queue.MediaType)
        {
            var misfits = await db.Set<AgentSkill>().Where(s => s.SkillQueueId == id)
                .Join(db.Set<Agent>(), s => new { s.TenantId, s.AgentId }, a => new { a.TenantId, a.AgentId }, (s, a) => a)
                .Select(a => new { a.AgentId, a.AgentType }).ToListAsync(ct);
            var refused = misfits.Where(a => !AgentQueues.Fits(a.AgentType, media)).Select(a => a.AgentId).ToList();
            if (refused.Count > 0)
                throw YunkeException.Rule("queueTypeMismatch",
                    $"A {media} queue does not fit agents linked to it: {string.Join(", ", refused)}. Unlink them first.");
        }
        queue.Name = name;
        Apply(queue, input);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "skillQueue.updated", queue.Name, Describe(queue));
        await SaveAsync(ct);
        targets.Forget();
        return QueueView.From(queue);
    }

    /// <summary>Deletes the queue and unlinks it from its agents; refused while a called route leads to it.</summary>
    public async Task DeleteAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.SkillQueuesManage], ct);
        var queue = await FindAsync(tenant, id, ct);
        var routes = await db.Set<CalledRoute>().Where(r => r.SkillQueueId == id).Select(r => r.AccessCode).ToListAsync(ct);
        if (routes.Count > 0)
            throw YunkeException.Conflict("queueInUse",
                $"Called routes lead to this queue ({string.Join(", ", routes)}); delete them first.");
        var links = await db.Set<AgentSkill>().Where(s => s.SkillQueueId == id).ToListAsync(ct);
        db.RemoveRange(links);
        db.Remove(queue);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "skillQueue.deleted", queue.Name,
            links.Count == 0 ? "" : $"unlinked from agents {string.Join(", ", links.Select(l => l.AgentId).Order())}");
        await db.SaveChangesAsync(ct);
        targets.Forget();
        if (links.Count == 0) return;
        // The ACD must stop offering the deleted queue's calls to its former agents now, not at their next re-bind.
        var agents = links.Select(l => l.AgentId).ToHashSet();
        var remaining = await db.Set<AgentSkill>().AsNoTracking().Where(s => s.TenantId == tenant && agents.Contains(s.AgentId))
            .Select(s => new { s.AgentId, s.SkillQueueId }).ToListAsync(ct);
        var states = await hub.ForTenantAsync(tenant);
        foreach (var agentId in agents)
            states.SetSkills(agentId, [.. remaining.Where(s => s.AgentId == agentId).Select(s => s.SkillQueueId)]);
    }

    private async Task<SkillQueue> FindAsync(Guid tenant, Guid id, CancellationToken ct) =>
        await db.Set<SkillQueue>().SingleOrDefaultAsync(q => q.Id == id && q.TenantId == tenant, ct)
        ?? throw YunkeException.NotFound("The skill queue");

    private static void Validate(QueueInput input) => new Validation()
        .Required("name", input.Name, MaxNameLength)
        .Check("mediaType", input.MediaType is not null, "mediaType is required: voice, multimedia, video, voiceClickToCall or videoClickToCall.")
        .Check("maxQueueLength", input.MaxQueueLength is >= 1 and <= MaxQueueLengthLimit,
            $"maxQueueLength must be between 1 and {MaxQueueLengthLimit}.")
        .Check("maxWaitSeconds", input.MaxWaitSeconds is >= 1 and <= MaxWaitSecondsLimit,
            $"maxWaitSeconds must be between 1 and {MaxWaitSecondsLimit}.")
        .Check("wrapUpSeconds", input.WrapUpSeconds is >= 0 and <= MaxWrapUpSeconds,
            $"wrapUpSeconds must be between 0 and {MaxWrapUpSeconds}.")
        .ThrowIfInvalid();

    private static void Apply(SkillQueue queue, QueueInput input)
    {
        queue.NormalizedName = Normalize(queue.Name);
        queue.MediaType = input.MediaType!.Value;
        queue.MaxQueueLength = input.MaxQueueLength!.Value;
        queue.MaxWaitSeconds = input.MaxWaitSeconds!.Value;
        queue.WrapUpSeconds = input.WrapUpSeconds!.Value;
    }

    private async Task EnsureNameFreeAsync(Guid tenant, string name, Guid? except, CancellationToken ct)
    {
        var normalized = Normalize(name);
        if (await db.Set<SkillQueue>().AnyAsync(q => q.TenantId == tenant && q.NormalizedName == normalized && q.Id != except, ct))
            throw new YunkeException(Problem.Conflict, "queueNameTaken", $"This instance already has a skill queue named '{name}'.",
                new Dictionary<string, string[]> { ["name"] = [$"This instance already has a skill queue named '{name}'."] });
    }

    /// <summary>The unique index backs the check above when two admins save the same name at once.</summary>
    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            throw YunkeException.Conflict("queueNameTaken", "This instance already has a skill queue of that name.");
        }
    }

    internal static string Normalize(string name) => name.Trim().ToUpperInvariant();

    private static string Describe(SkillQueue q) =>
        $"{q.MediaType}, max queue {q.MaxQueueLength}, max wait {q.MaxWaitSeconds}s, wrap-up {q.WrapUpSeconds}s";
}
