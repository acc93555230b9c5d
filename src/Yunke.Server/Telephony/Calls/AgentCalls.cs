using System.Text.RegularExpressions;
using Yunke.Core.AgentStates;
using Yunke.Core.Calls;
using Yunke.Core.Common;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The agent's own call control (接续条): answer, hang up, hold, mute, dial. The REST workbench and the console's call
/// bar both call this, so a rule (what may be answered, which numbers may be dialled) holds for both. Each answers the
/// agent's state as the change left it, with whether its call is held and whether the agent is muted.
/// </summary>
public sealed partial class AgentCalls(Workbench workbench, CallController calls, CallService records)
{
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(10);

    /// <summary>The agent's state, with the call it is ringing for or talking on.</summary>
    public sealed record Desk(AgentStatus Status, CurrentCall? Call)
    {
        public bool Held => Call?.Held ?? false;
        public bool Muted => Call?.Muted ?? false;
    }

    public async Task<Desk> StateAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        return DeskOf(states, agentId);
    }

    /// <summary>
    /// What the call bar shows of the agent's call: who, which way, whether both sides are connected (an agent dialling
    /// out talks once its phone answers, while the customer may still be ringing), and whether it is held or the agent muted.
    /// </summary>
    public sealed record CurrentCall(Guid Id, CallDirection Direction, string Customer, bool Connected, bool Held, bool Muted)
    {
        public static CurrentCall Of(IActiveCall call) =>
            new(call.Id, call.Direction, call.Customer, call.Talk is not null, call.Talk?.Held ?? false, call.Talk?.Muted ?? false);
    }

    /// <summary>The call the agent is ringing for or talking on, if any.</summary>
    public async Task<CurrentCall?> CurrentAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        return DeskOf(states, agentId).Call;
    }

    /// <summary>The agent's state and call as they are now (for the live events, which have found the agent already).</summary>
    public Desk DeskOf(TenantAgentStates states, string agentId) =>
        new(states.Get(agentId), calls.OfAgent(states, agentId) is { } call ? CurrentCall.Of(call) : null);

    /// <summary>Answers the ringing call: the agent's phone is called again with answer-after=0, so it picks up at once.</summary>
    public async Task<Desk> AnswerAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        if (states.Get(agentId).State != AgentState.Ringing || calls.OfAgent(states, agentId) is not Call call || !call.AnswerFromWorkbench())
            throw YunkeException.Conflict("noCallToAnswer", "The agent's phone is not ringing.");
        return DeskOf(states, agentId);
    }

    /// <summary>
    /// Hangs up the agent's call (both legs end, wrap-up follows), or declines the ringing one (it goes to the next
    /// agent, this one is set busy). Answers the state the call left the agent in.
    /// </summary>
    public async Task<Desk> HangUpAsync(Actor actor, CancellationToken ct = default)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        var state = states.Get(agentId).State;
        if (state is not (AgentState.Ringing or AgentState.Talking) || calls.OfAgent(states, agentId) is not { } call)
            throw YunkeException.Conflict("noCall", "The agent has no call to hang up.");
        if (state == AgentState.Ringing && call is Call inbound) inbound.RejectFromWorkbench();
        else call.HangUp(HangupSide.Api);
        await call.AgentReleased.WaitAsync(ReleaseWait, ct);
        return DeskOf(states, agentId);
    }

    /// <summary>
    /// Holds the call: the customer hears hold music (re-INVITE sendonly), the agent's phone is set inactive, no audio
    /// passes; the agent stays talking.
    /// </summary>
    public Task<Desk> HoldAsync(Actor actor, CancellationToken ct = default) =>
        ChangeTalkAsync(actor, talk => talk.Hold() ? null : ("alreadyHeld", "The call is already on hold."), ct);

    /// <summary>Resumes the held call: both phones are offered sendrecv again and audio passes both ways.</summary>
    public Task<Desk> UnholdAsync(Actor actor, CancellationToken ct = default) =>
        ChangeTalkAsync(actor, talk => talk.Unhold() ? null : ("notHeld", "The call is not on hold from the workbench."), ct);

    /// <summary>Mutes (or unmutes) the agent: the customer stops hearing the agent; the agent still hears the customer.</summary>
    public Task<Desk> MuteAsync(Actor actor, bool on, CancellationToken ct = default) =>
        ChangeTalkAsync(actor, talk => { talk.Mute(on); return null; }, ct);

    /// <summary>A change to the agent's talking call; the change names the refusal (409) when it does not apply.</summary>
    private async Task<Desk> ChangeTalkAsync(Actor actor, Func<Conversation, (string Code, string Message)?> change, CancellationToken ct)
    {
        var (states, agentId) = await workbench.OwnAsync(actor, ct);
        if (states.Get(agentId).State != AgentState.Talking || calls.OfAgent(states, agentId)?.Talk is not { IsOver: false } talk)
            throw YunkeException.Conflict("noCallInProgress", "The agent is not talking on a call.");
        if (change(talk) is { } refused) throw YunkeException.Conflict(refused.Code, refused.Message);
        return DeskOf(states, agentId);
    }

    /// <summary>
    /// Calls a customer: the agent is put in ringing at once (409 when signed out or in a call), its phone rings
    /// first, then the customer is called through the trunk with the instance's number as caller ID.
    /// </summary>
    public async Task<Desk> DialAsync(Actor actor, string? number, string? mediaType, CancellationToken ct = default)
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
        return DeskOf(states, agentId);
    }

    [GeneratedRegex(@"^\+?[0-9]{3,32}$")]
    private static partial Regex PhoneNumber();
}
