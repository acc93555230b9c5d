using System.Text.RegularExpressions;
using Yunke.Core.AgentStates;
using Yunke.Core.Calls;
using Yunke.Core.Common;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The agent's own call control (接续条): answer, hang up, dial. The REST workbench and the console's call bar both
/// call this, so a rule (what may be answered, which numbers may be dialled) holds for both.
/// </summary>
public sealed partial class AgentCalls(Workbench workbench, CallController calls, CallService records)
{
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(10);

    /// <summary>What the call bar shows of the agent's call.</summary>
    public sealed record CurrentCall(Guid Id, CallDirection Direction, string Customer);

    /// <summary>The call the agent is ringing for or talking on, if any.</summary>
    public async Task<CurrentCall?> CurrentAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        return calls.OfAgent(states, agentId) is { } call ? new CurrentCall(call.Id, call.Direction, call.Customer) : null;
    }

    /// <summary>Answers the ringing call: the agent's phone is called again with answer-after=0, so it picks up at once.</summary>
    public async Task<AgentStatus> AnswerAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        if (states.Get(agentId).State != AgentState.Ringing || calls.OfAgent(states, agentId) is not Call call || !call.AnswerFromWorkbench())
            throw YunkeException.Conflict("noCallToAnswer", "The agent's phone is not ringing.");
        return states.Get(agentId);
    }

    /// <summary>
    /// Hangs up the agent's call (both legs end, wrap-up follows), or declines the ringing one (it goes to the next
    /// agent, this one is set busy). Answers the state the call left the agent in.
    /// </summary>
    public async Task<AgentStatus> HangUpAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        var state = states.Get(agentId).State;
        if (state is not (AgentState.Ringing or AgentState.Talking) || calls.OfAgent(states, agentId) is not { } call)
            throw YunkeException.Conflict("noCall", "The agent has no call to hang up.");
        if (state == AgentState.Ringing && call is Call inbound) inbound.RejectFromWorkbench();
        else call.HangUp(HangupSide.Api);
        await call.AgentReleased.WaitAsync(ReleaseWait, ct);
        return states.Get(agentId);
    }

    /// <summary>
    /// Calls a customer: the agent is put in ringing at once (409 when signed out or in a call), its phone rings
    /// first, then the customer is called through the trunk with the instance's number as caller ID.
    /// </summary>
    public async Task<AgentStatus> DialAsync(Actor actor, string? number, string? mediaType, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        number = number?.Trim();
        new Validation()
            .Check("number", number is not null && PhoneNumber().IsMatch(number),
                "number must be a phone number: 3 to 32 digits, optionally with a leading +.")
            .Check("mediaType", mediaType is null or "audio", "mediaType must be audio: video calls come later.")
            .ThrowIfInvalid();
        var callerId = await records.CallerIdAsync(states.TenantId, ct);
        await calls.DialAsync(states, agentId, number!, callerId);
        return states.Get(agentId);
    }

    [GeneratedRegex(@"^\+?[0-9]{3,32}$")]
    private static partial Regex PhoneNumber();
}
