using Yunke.Core.Agents;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;
using Yunke.Core.Registrations;

namespace Yunke.Core.AgentStates;

/// <summary>
/// The agent's own state bar (签入, 示闲, 示忙, 休息, 签出): the signed-in account is resolved to the
/// agent ID it is bound to, and the change goes through the tenant's single-writer owner.
/// </summary>
public sealed class Workbench(AgentService agents, AgentStateHub hub, SoftphoneRegistrations registrations, YunkeDb db, TimeProvider clock)
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
        var agent = await agents.FindByAccountAsync(actor.Tenant, actor.AccountId, ct)
            ?? throw YunkeException.Rule("notAnAgent", "This account is not bound to an agent ID: ask the tenant admin to bind it (座席管理).");
        return (await hub.ForTenantAsync(actor.Tenant), agent.AgentId);
    }

    /// <summary>Every agent's state of the actor's tenant, for supervisors.</summary>
    public async Task<IReadOnlyList<AgentStatus>> TenantStatesAsync(Actor actor, CancellationToken ct = default)
    {
        var states = await hub.ForTenantAsync(actor.Tenant);
        var ids = await agents.ListIdsAsync(actor.Tenant, ct);
        return ids.Select(states.Get).ToList();
    }
}
