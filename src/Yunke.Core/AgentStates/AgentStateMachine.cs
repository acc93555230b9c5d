using Yunke.Core.Common;

namespace Yunke.Core.AgentStates;

/// <summary>
/// The legal moves of an agent, as one table. Everything not in the table is refused with a
/// clear error, so a stale client or a late timer can never put an agent in a state it cannot leave.
/// </summary>
public static class AgentStateMachine
{
    private static readonly Dictionary<(AgentState, AgentTrigger), AgentState> Moves = new()
    {
        [(AgentState.SignedOut, AgentTrigger.SignIn)] = AgentState.Idle,

        [(AgentState.Idle, AgentTrigger.NotReady)] = AgentState.Busy,
        [(AgentState.Idle, AgentTrigger.Rest)] = AgentState.Rest,
        [(AgentState.Idle, AgentTrigger.SignOut)] = AgentState.SignedOut,
        [(AgentState.Idle, AgentTrigger.Offer)] = AgentState.Ringing,

        [(AgentState.Busy, AgentTrigger.Ready)] = AgentState.Idle,
        [(AgentState.Busy, AgentTrigger.Rest)] = AgentState.Rest,
        [(AgentState.Busy, AgentTrigger.SignOut)] = AgentState.SignedOut,
        [(AgentState.Busy, AgentTrigger.Offer)] = AgentState.Ringing, // only its own dial-out: the ACD offers to idle agents

        [(AgentState.Rest, AgentTrigger.Ready)] = AgentState.Idle,
        [(AgentState.Rest, AgentTrigger.NotReady)] = AgentState.Busy,
        [(AgentState.Rest, AgentTrigger.SignOut)] = AgentState.SignedOut,
        [(AgentState.Rest, AgentTrigger.TimeUp)] = AgentState.Idle,

        [(AgentState.Ringing, AgentTrigger.Answer)] = AgentState.Talking,
        [(AgentState.Ringing, AgentTrigger.NoAnswer)] = AgentState.Busy,
        [(AgentState.Ringing, AgentTrigger.Withdraw)] = AgentState.Idle,

        [(AgentState.Talking, AgentTrigger.Hangup)] = AgentState.WrapUp,

        [(AgentState.WrapUp, AgentTrigger.TimeUp)] = AgentState.Idle,
        [(AgentState.WrapUp, AgentTrigger.Ready)] = AgentState.Idle,
        [(AgentState.WrapUp, AgentTrigger.NotReady)] = AgentState.Busy,
        [(AgentState.WrapUp, AgentTrigger.Rest)] = AgentState.Rest,
        [(AgentState.WrapUp, AgentTrigger.SignOut)] = AgentState.SignedOut,
    };

    public static bool CanMove(AgentState from, AgentTrigger trigger) => Moves.ContainsKey((from, trigger));

    /// <summary>The state after the trigger, or a 409 that says why not.</summary>
    public static AgentState Next(AgentState from, AgentTrigger trigger) =>
        Moves.TryGetValue((from, trigger), out var to) ? to
            : throw YunkeException.Conflict("illegalAgentTransition", Explain(from, trigger));

    private static string Explain(AgentState from, AgentTrigger trigger) => (from, trigger) switch
    {
        (AgentState.SignedOut, _) => "The agent is signed out: sign in first.",
        (_, AgentTrigger.SignIn) => "The agent is already signed in.",
        (AgentState.Ringing or AgentState.Talking, AgentTrigger.SignOut) => "The agent is in a call: finish it before signing out.",
        (AgentState.Idle, AgentTrigger.Ready) => "The agent is already idle.",
        (AgentState.Busy, AgentTrigger.NotReady) => "The agent is already busy.",
        (AgentState.Rest, AgentTrigger.Rest) => "The agent is already resting.",
        (AgentState.Ringing or AgentState.Talking or AgentState.WrapUp, AgentTrigger.Offer) => "The agent is already handling a call.",
        _ => $"An agent that is {Word(from)} cannot {Word(trigger)}.",
    };

    private static string Word<T>(T value) where T : Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
