using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.AgentStates;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Persistence;
using Yunke.Core.SkillQueues;
using Yunke.Core.Staff;

namespace Yunke.Core.Agents;

/// <summary>
/// Agent management (配置中心 > 员工中心 > 座席管理): the instance's pre-allocated agent IDs, binding an
/// employee's account and skill queues to them, and finding the agent ID of a signed-in account.
/// </summary>
public sealed class AgentService(YunkeDb db, TimeProvider clock, AgentStateHub hub, StaffPermissions permissions, AgentRingSettings rings)
{
    public const int FirstAgentId = 1001;
    public const int DefaultAutoAnswerDelaySeconds = 2;
    public const int MaxAutoAnswerDelaySeconds = 30;

    /// <summary>
    /// A binding, as the 座席信息配置 dialog submits it. <c>EmployeeAccount</c> null unbinds; the other fields
    /// null keep what the agent has.
    /// </summary>
    public sealed record AgentInput(string? EmployeeAccount, IReadOnlyList<Guid>? SkillQueueIds, bool? AutoAnswer, int? AutoAnswerDelaySeconds);

    public sealed record AgentView(string AgentId, AgentType AgentType, IReadOnlyList<Guid> SkillQueueIds, string? EmployeeAccount,
        string SoftphoneNumber, bool AutoAnswer, int AutoAnswerDelaySeconds);

    /// <summary>A business account as the binding dialog offers it, with the agent ID it is bound to, if any.</summary>
    public sealed record EmployeeChoice(string Account, string DisplayName, string? AgentId);

    public async Task<Page<AgentView>> ListAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await EnsureAllocatedAsync(tenant, ct);
        // Agent IDs are digits of growing length (1001 … 10001): order by length, then text, to order by number.
        var agents = await Agents(tenant).OrderBy(a => a.AgentId.Length).ThenBy(a => a.AgentId).ToPageAsync(page, a => a, ct);
        return new Page<AgentView>(await ViewsAsync(agents.Items, ct), agents.Total);
    }

    public async Task<AgentView> GetAsync(Actor actor, string agentId, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await EnsureAllocatedAsync(tenant, ct);
        return (await ViewsAsync([await FindAsync(tenant, agentId, ct)], ct))[0];
    }

    /// <summary>The instance's business accounts for the binding dialog (选择业务账号).</summary>
    public async Task<IReadOnlyList<EmployeeChoice>> ListEmployeeChoicesAsync(Actor actor, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        var accounts = await db.Set<Account>().AsNoTracking().Where(a => a.TenantId == tenant && a.Kind == AccountKind.Staff)
            .OrderBy(a => a.Name).Select(a => new { a.Id, a.Name, a.DisplayName }).ToListAsync(ct);
        var bound = await db.Set<Agent>().AsNoTracking().Where(a => a.TenantId == tenant && a.EmployeeAccountId != null)
            .ToDictionaryAsync(a => a.EmployeeAccountId!.Value, a => a.AgentId, ct);
        return accounts.Select(a => new EmployeeChoice(a.Name, a.DisplayName, bound.GetValueOrDefault(a.Id))).ToList();
    }

    /// <summary>The agent ID bound to the signed-in account, for its workbench.</summary>
    public async Task<AgentView> GetMineAsync(Actor actor, CancellationToken ct = default)
    {
        var agent = await FindByAccountAsync(actor.Tenant, actor.AccountId, ct)
            ?? throw YunkeException.NotFound("An agent ID bound to your account");
        return (await ViewsAsync([agent], ct))[0];
    }

    /// <summary>The agent ID an account is bound to, if any.</summary>
    public Task<Agent?> FindByAccountAsync(Guid tenantId, Guid accountId, CancellationToken ct = default) =>
        Agents(tenantId).SingleOrDefaultAsync(a => a.EmployeeAccountId == accountId, ct);

    /// <summary>The tenant's agent IDs, in order, for the supervisors' live view.</summary>
    public Task<List<string>> ListIdsAsync(Guid tenantId, CancellationToken ct = default) =>
        Agents(tenantId).OrderBy(a => a.AgentId).Select(a => a.AgentId).ToListAsync(ct);

    public async Task<AgentView> UpdateAsync(Actor actor, string agentId, AgentInput input, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await EnsureAllocatedAsync(tenant, ct);
        var agent = await db.Set<Agent>().Include(a => a.Skills).SingleOrDefaultAsync(a => a.TenantId == tenant && a.AgentId == agentId, ct)
            ?? throw YunkeException.NotFound("The agent ID");
        new Validation()
            .Optional("employeeAccount", input.EmployeeAccount, 64)
            .Check("autoAnswerDelaySeconds", input.AutoAnswerDelaySeconds is null or >= 0 and <= MaxAutoAnswerDelaySeconds,
                $"autoAnswerDelaySeconds must be between 0 and {MaxAutoAnswerDelaySeconds}.")
            .ThrowIfInvalid();

        var employee = await BindableAccountAsync(tenant, agent, input.EmployeeAccount, ct);
        var queues = input.SkillQueueIds is null ? null : await FittingQueuesAsync(tenant, agent, input.SkillQueueIds, ct);

        agent.EmployeeAccountId = employee?.Id;
        if (queues is not null)
        {
            agent.Skills.RemoveAll(s => !queues.Any(q => q.Id == s.SkillQueueId));
            foreach (var q in queues.Where(q => !agent.Skills.Any(s => s.SkillQueueId == q.Id)))
                agent.Skills.Add(new AgentSkill { TenantId = tenant, AgentId = agent.AgentId, SkillQueueId = q.Id });
        }
        if (input.AutoAnswer is { } autoAnswer) agent.AutoAnswer = autoAnswer;
        if (input.AutoAnswerDelaySeconds is { } delay) agent.AutoAnswerDelaySeconds = delay;

        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "agent.configured", agent.AgentId,
            $"account {employee?.Name ?? "(none)"}, queues {(queues is null ? "unchanged" : string.Join(", ", queues.Select(q => q.Name)))}, " +
            $"auto-answer {(agent.AutoAnswer ? $"after {agent.AutoAnswerDelaySeconds}s" : "off")}");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) when (employee is not null)
        {
            throw AlreadyBound(employee.Name, null);
        }
        rings.Forget(tenant, agent.AgentId);
        // Calls already waiting in a newly added queue may go to this agent at once.
        if (queues is not null) (await hub.ForTenantAsync(tenant)).SetSkills(agent.AgentId, [.. agent.Skills.Select(s => s.SkillQueueId)]);
        return (await ViewsAsync([agent], ct))[0];
    }

    /// <summary>
    /// Adds (unsaved) what an instance's seats call for and it lacks: its softphone prefix, one agent ID per
    /// seat numbered from 1001 (voice seats first, then video, then multimedia, as the seats are listed), and a
    /// default skill queue per agent type, linked to the new agents: the seed's "租间初始化状态" in which agent
    /// IDs, types and queues are already allocated and linked. New instances get all of it in the
    /// transaction that creates them; instances made before this existed get it on first use.
    /// </summary>
    internal async Task AllocateAsync(Instance instance, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var settings = await db.Set<SoftphoneSettings>().FindAsync([instance.Id], ct);
        if (settings is null)
        {
            string prefix;
            do prefix = Softphones.NewPrefix();
            while (await db.Set<SoftphoneSettings>().AnyAsync(s => s.Prefix == prefix, ct));
            settings = new SoftphoneSettings { TenantId = instance.Id, Prefix = prefix, Mode = SoftphoneMode.Single };
            db.Add(settings);
        }

        var existing = await db.Set<Agent>().Where(a => a.TenantId == instance.Id).Select(a => new { a.AgentId, a.AgentType }).ToListAsync(ct);
        var next = existing.Select(a => int.TryParse(a.AgentId, out var n) ? n + 1 : FirstAgentId).DefaultIfEmpty(FirstAgentId).Max();
        var queues = await db.Set<SkillQueue>().Where(q => q.TenantId == instance.Id).ToListAsync(ct);
        var added = new List<string>();
        foreach (var (type, seats) in new[] { (AgentType.Voice, instance.VoiceSeats), (AgentType.Video, instance.VideoSeats), (AgentType.Multimedia, instance.MultimediaSeats) })
        {
            var missing = seats - existing.Count(a => a.AgentType == type);
            if (missing <= 0) continue;
            var queue = DefaultQueue(instance.Id, AgentQueues.DefaultFor(type), queues, now);
            for (var i = 0; i < missing; i++, next++)
            {
                var agentId = next.ToString();
                db.Add(new Agent
                {
                    TenantId = instance.Id,
                    AgentId = agentId,
                    AgentType = type,
                    SoftphoneNumber = Softphones.Number(settings.Prefix, agentId),
                    Skills = [new AgentSkill { TenantId = instance.Id, AgentId = agentId, SkillQueueId = queue.Id }],
                    CreatedAt = now,
                });
                added.Add(agentId);
            }
        }
        if (added.Count > 0)
            db.Audit(Actor.System, now, "agents.allocated", instance.Name,
                $"agent IDs {added[0]}–{added[^1]}, softphone prefix {settings.Prefix}", instance.Id);
    }

    /// <summary>Allocates on first use for instances created before agent IDs were allocated with them.</summary>
    internal async Task EnsureAllocatedAsync(Guid tenant, CancellationToken ct)
    {
        var instance = await db.Set<Instance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == tenant, ct);
        if (instance is null) return;
        var count = await db.Set<Agent>().CountAsync(a => a.TenantId == tenant, ct);
        var hasSettings = await db.Set<SoftphoneSettings>().AnyAsync(s => s.TenantId == tenant, ct);
        if (hasSettings && count >= instance.VoiceSeats + instance.VideoSeats + instance.MultimediaSeats) return;
        await AllocateAsync(instance, ct);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Another request allocated the same agent IDs at the same moment: theirs stand.
            db.ChangeTracker.Clear();
        }
    }

    private SkillQueue DefaultQueue(Guid tenant, MediaType media, List<SkillQueue> queues, DateTime now)
    {
        var queue = queues.Where(q => q.MediaType == media).OrderBy(q => q.CreatedAt).FirstOrDefault();
        if (queue is not null) return queue;
        var name = media switch
        {
            MediaType.Voice => "默认语音队列",
            MediaType.Video => "默认视频队列",
            _ => "默认多媒体队列",
        };
        if (queues.Any(q => q.NormalizedName == SkillQueueService.Normalize(name))) name += $"-{now:yyyyMMddHHmmss}";
        queue = new SkillQueue
        {
            TenantId = tenant,
            Name = name,
            NormalizedName = SkillQueueService.Normalize(name),
            MediaType = media,
            MaxQueueLength = 100,
            MaxWaitSeconds = 120,
            WrapUpSeconds = 10,
            CreatedAt = now,
        };
        db.Add(queue);
        queues.Add(queue);
        return queue;
    }

    private async Task<Account?> BindableAccountAsync(Guid tenant, Agent agent, string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var normalized = Account.Normalize(name);
        var account = await db.Set<Account>().AsNoTracking()
            .SingleOrDefaultAsync(a => a.NormalizedName == normalized && a.TenantId == tenant && a.Kind == AccountKind.Staff, ct)
            ?? throw YunkeException.Invalid("employeeAccount", $"This instance has no business account '{name.Trim()}'.");
        var boundTo = await db.Set<Agent>().AsNoTracking().Where(a => a.EmployeeAccountId == account.Id && a.AgentId != agent.AgentId)
            .Select(a => a.AgentId).FirstOrDefaultAsync(ct);
        if (boundTo is not null) throw AlreadyBound(account.Name, boundTo);
        return account;
    }

    private async Task<List<SkillQueue>> FittingQueuesAsync(Guid tenant, Agent agent, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        var queues = await db.Set<SkillQueue>().AsNoTracking().Where(q => q.TenantId == tenant && wanted.Contains(q.Id)).ToListAsync(ct);
        var unknown = wanted.Except(queues.Select(q => q.Id)).ToList();
        if (unknown.Count > 0)
            throw YunkeException.Invalid("skillQueueIds", $"This instance has no skill queue {string.Join(", ", unknown)}.");
        var misfits = queues.Where(q => !AgentQueues.Fits(agent.AgentType, q.MediaType)).ToList();
        if (misfits.Count > 0)
        {
            var message = $"A {agent.AgentType} agent takes only {string.Join(", ", AgentQueues.AllowedFor(agent.AgentType))} queues; " +
                $"not {string.Join(", ", misfits.Select(q => $"{q.Name} ({q.MediaType})"))}.";
            throw new YunkeException(Problem.Rule, "queueTypeMismatch", message,
                new Dictionary<string, string[]> { ["skillQueueIds"] = [message] });
        }
        return wanted.Select(id => queues.Single(q => q.Id == id)).ToList();
    }

    /// <summary>The refusal of the workbench to an account bound to no agent ID.</summary>
    public static YunkeException NotAnAgent() =>
        YunkeException.Rule("notAnAgent", "This account is not bound to an agent ID: ask the tenant admin to bind it (座席管理).");

    private static YunkeException AlreadyBound(string account, string? agentId) =>
        new(Problem.Conflict, "accountAlreadyBound",
            $"The account '{account}' is already bound to agent ID {agentId ?? "another"}; unbind it there first.",
            new Dictionary<string, string[]> { ["employeeAccount"] = [$"Already bound to agent ID {agentId ?? "another"}."] });

    private IQueryable<Agent> Agents(Guid tenant) => db.Set<Agent>().AsNoTracking().Include(a => a.Skills).Where(a => a.TenantId == tenant);

    private async Task<Agent> FindAsync(Guid tenant, string agentId, CancellationToken ct) =>
        await Agents(tenant).SingleOrDefaultAsync(a => a.AgentId == agentId, ct) ?? throw YunkeException.NotFound("The agent ID");

    private async Task<List<AgentView>> ViewsAsync(IReadOnlyList<Agent> agents, CancellationToken ct)
    {
        var accountIds = agents.Where(a => a.EmployeeAccountId is not null).Select(a => a.EmployeeAccountId!.Value).ToList();
        var names = await db.Set<Account>().AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        return agents.Select(a => new AgentView(a.AgentId, a.AgentType, a.Skills.Select(s => s.SkillQueueId).Order().ToList(),
            a.EmployeeAccountId is { } id ? names.GetValueOrDefault(id) : null,
            a.SoftphoneNumber, a.AutoAnswer, a.AutoAnswerDelaySeconds)).ToList();
    }
}
