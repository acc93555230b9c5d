using Yunke.Core.Calls;
using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony.Calls;

/// <summary>Call control settings (<c>Yunke:Calls</c>), and where calls to customers go (<c>Yunke:Sip:Trunk</c>, none when null).</summary>
public sealed record CallSettings(TimeSpan RingTimeout, System.Net.IPEndPoint? Trunk = null)
{
    /// <summary>No RTP from a leg that should send for this long ends the call.</summary>
    public TimeSpan MediaTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public SessionTimerSettings SessionTimers { get; init; } = new(1800, 90);
    /// <summary>See <see cref="CallAdmission"/>; 0 for no such limit.</summary>
    public int MaxCalls { get; init; }
    public double MaxMediaLoad { get; init; }
}

/// <summary>What every call needs from the host, gathered once by the controller.</summary>
public sealed class CallServices(IServiceProvider provider, AgentPhones phones, ICallMediaFactory media, CallRecordings recordings,
    CallSettings settings, CallChanges changes, Core.Agents.SipPlatform platform, TimeProvider clock, ILogger<Call> log)
{
    // Resolved on use: the SIP host depends on the handlers, which depend on this.
    public SipEndpoint Endpoint => provider.GetRequiredService<TelephonyHost>().Endpoint;
    /// <summary>The host name in the URIs Yunke writes (From and To of agent legs).</summary>
    public string Host => platform.Host;
    public AgentPhones Phones => phones;
    public ICallMediaFactory Media => media;
    public CallRecordings Recordings => recordings;
    public CallSettings Settings => settings;
    public CallChanges Changes => changes;
    public TimeProvider Clock => clock;
    public ILogger Log => log;
}
