using Yunke.Server.Hosting;

namespace Yunke.Server.Telephony.Calls;

public static class CallSetup
{
    /// <summary>Call control: the SIP handlers of calls, the controller, where agents' phones ring, and the media seam.</summary>
    public static IServiceCollection AddYunkeCalls(this IServiceCollection services, YunkeOptions.CallOptions options)
    {
        services.AddSingleton(new CallSettings(TimeSpan.FromSeconds(options.RingTimeoutSeconds)));
        services.AddSingleton<AgentPhones>();
        // Until Yunke.Media anchors media on Yunke's RTP ports, the phones' SDP goes end to end.
        services.AddSingleton<ICallMediaFactory, PassThroughMedia>();
        services.AddSingleton<CallServices>();
        services.AddSingleton<CallController>();
        services.AddSingleton<ISipMethodHandler, InviteHandler>();
        services.AddSingleton<ISipMethodHandler, AckHandler>();
        services.AddSingleton<ISipMethodHandler, ByeHandler>();
        services.AddSingleton<ISipMethodHandler, CancelHandler>();
        return services;
    }
}
