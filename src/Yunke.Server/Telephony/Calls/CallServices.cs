using Yunke.Core.Calls;
using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony.Calls;

/// <summary>Call control settings (<c>Yunke:Calls</c>).</summary>
public sealed record CallSettings(TimeSpan RingTimeout);

/// <summary>What every call needs from the host, gathered once by the controller.</summary>
public sealed class CallServices(TelephonyHost telephony, AgentPhones phones, ICallMediaFactory media, CallRecordings recordings,
    CallSettings settings, Core.Agents.SipPlatform platform, TimeProvider clock, ILogger<Call> log)
{
    public SipEndpoint Endpoint => telephony.Endpoint;
    /// <summary>The host name in the URIs Yunke writes (From and To of agent legs).</summary>
    public string Host => platform.Host;
    public AgentPhones Phones => phones;
    public ICallMediaFactory Media => media;
    public CallRecordings Recordings => recordings;
    public CallSettings Settings => settings;
    public TimeProvider Clock => clock;
    public ILogger Log => log;
}
