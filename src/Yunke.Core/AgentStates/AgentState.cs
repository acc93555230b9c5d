namespace Yunke.Core.AgentStates;

/// <summary>Where an agent stands, as the workbench shows it (签出, 示闲, 示忙, 休息, 振铃, 通话, 整理).</summary>
public enum AgentState { SignedOut, Idle, Busy, Rest, Ringing, Talking, WrapUp }

/// <summary>What can move an agent: its own requests, calls, and timers.</summary>
public enum AgentTrigger
{
    SignIn,
    SignOut,
    Ready,
    NotReady,
    Rest,
    /// <summary>A call is offered to the agent's phone (inbound from the queue, or the first leg of its own dial-out).</summary>
    Offer,
    Answer,
    /// <summary>The offered call was not answered in time: the agent is set busy so the queue skips it.</summary>
    NoAnswer,
    /// <summary>The offered call went away before it was answered (caller hung up, CANCEL).</summary>
    Withdraw,
    /// <summary>The talking call ended; wrap-up follows when the queue has wrap-up time.</summary>
    Hangup,
    /// <summary>A timer ran out: wrap-up time or the rest the agent asked for.</summary>
    TimeUp,
}
