namespace Yunke.Sip.Transactions;

/// <summary>The base timer values of RFC 3261 17 (table 4); the lettered timers derive from them.</summary>
public sealed record SipTimers
{
    public static SipTimers Default { get; } = new();

    /// <summary>Round-trip time estimate: first retransmission interval.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Longest retransmission interval for non-INVITE requests and INVITE responses.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>How long a message may linger in the network.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timers B, F, H and J: 64*T1.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;
}
