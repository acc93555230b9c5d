namespace Yunke.Core.Acd;

/// <summary>How a call's wait in a skill queue ended.</summary>
public enum QueueResult
{
    /// <summary>An agent was chosen and is now ringing for the call.</summary>
    Offered,
    /// <summary>The queue already held its maximum number of waiting calls.</summary>
    QueueFull,
    /// <summary>No agent became free within the queue's maximum wait.</summary>
    TimedOut,
    /// <summary>The caller went away (or the call was ended) while waiting.</summary>
    Cancelled,
}

public sealed record QueueOutcome(QueueResult Result, string? AgentId = null)
{
    public static readonly QueueOutcome Full = new(QueueResult.QueueFull);
    public static readonly QueueOutcome TimedOut = new(QueueResult.TimedOut);
    public static readonly QueueOutcome Cancelled = new(QueueResult.Cancelled);
}

/// <summary>A skill queue's limits, as configured (最大排队数, 最大排队时长).</summary>
public sealed record QueueLimits(int MaxLength, TimeSpan MaxWait);

/// <summary>
/// Whether an agent's phone can ring now (a registered softphone or browser phone). The telephony
/// layer knows; the ACD asks it so it never offers a call to an agent nobody can reach.
/// </summary>
public interface IAgentReachability
{
    bool IsReachable(Guid tenantId, string agentId);
}
