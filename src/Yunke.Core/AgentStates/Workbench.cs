using Yunke.Core.Agents;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;
using Yunke.Core.Registrations;
using Yunke.Core.Staff;

namespace Yunke.Core.AgentStates;

/// <summary>
/// The agent's own state bar (签入, 示闲, 示忙, 休息, 签出): the signed-in account is resolved to the
/// agent ID it is bound to, and the change goes through the tenant's single-writer owner.
/// </summary>
public sealed class Workbench(AgentService agents, AgentStateHub hub, StaffPermissions permissions, SoftphoneRegistrations registrations,
    YunkeDb db, TimeProvider clock)
{
    public const int MaxRestMinutes = 240;

    /// <summary>The triggers an agent may pull itself; calls and timers pull the others.</summary>
    public static readonly IReadOnlySet<AgentTrigger> OwnTriggers = new HashSet<AgentTrigger>
        { AgentTrigger.SignIn, AgentTrigger.SignOut, AgentTrigger.Ready, AgentTrigger.NotReady, AgentTrigger.Rest };

    public async Task<AgentStatus> StateAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await OwnAsync(actor, ct);
        return states.Get(agentId);
    }

    public async Task<AgentStatus> ChangeAsync(Actor actor, AgentTrigger trigger, int? restMinutes = null, CancellationToken ct = default)
    {
        if (!OwnTriggers.Contains(trigger)) throw YunkeException.Forbidden("Calls and timers move an agent this way, not the agent.");
        DateTime? until = null;
        if (trigger == AgentTrigger.Rest)
        {
            new Validation().Check("minutes", restMinutes is >= 1 and <= MaxRestMinutes,
                $"minutes must be between 1 and {MaxRestMinutes}.").ThrowIfInvalid();
            until = clock.GetUtcNow().UtcDateTime.AddMinutes(restMinutes!.Value);
        }
        var (states, agentId) = await OwnAsync(actor, ct);
        var status = await states.ApplyAsync(agentId, trigger, until: until);
        if (trigger == AgentTrigger.SignIn)
        {
            db.Audit(actor, status.Since, "agent.signedIn", agentId);
            await db.SaveChangesAsync(ct);
        }
        else if (trigger == AgentTrigger.SignOut)
        {
            // Seed: 座席签出后，软电话状态变为未注册. The phone may register again (it must, to be offered calls after
            // the next sign-in); until then nothing routes to it.
            var unregistered = registrations.Clear(actor.Tenant, agentId);
            db.Audit(actor, status.Since, "agent.signedOut", agentId, unregistered > 0 ? $"{unregistered} softphone registration(s) removed" : "");
            await db.SaveChangesAsync(ct);
        }
        return status;
    }

    /// <summary>The tenant's owner and the agent ID the actor is bound to; an unbound account is no agent.</summary>
    public async Task<(TenantAgentStates States, string AgentId)> OwnAsync(Actor actor, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.WorkbenchUse], ct);
        var agent = await agents.FindByAccountAsync(tenant, actor.AccountId, ct) ?? throw AgentService.NotAnAgent();
        return (await hub.ForTenantAsync(tenant), agent.AgentId);
    }

    /// <summary>Every agent's state of the actor's tenant, for supervisors.</summary>
    public async Task<IReadOnlyList<AgentStatus>> TenantStatesAsync(Actor actor, CancellationToken ct = default)
    {
        var states = await SupervisedAsync(actor, ct);
        var ids = await agents.ListIdsAsync(states.TenantId, ct);
        return ids.Select(states.Get).ToList();
    }

    /// <summary>The owner of the actor's tenant, for a supervisor who follows every agent's changes.</summary>
    public async Task<TenantAgentStates> SupervisedAsync(Actor actor, CancellationToken ct = default) =>
        await hub.ForTenantAsync(await permissions.TenantAsync(actor, [Permissions.CallsMonitor], ct));
}
