using System.Net;
using Yunke.Media.Sessions;
using Yunke.Server.Hosting;

namespace Yunke.Server.Telephony.Calls;

public static class CallSetup
{
    /// <summary>Call control: the SIP handlers of calls, the controller, where agents' phones ring, and the media seam.</summary>
    public static IServiceCollection AddYunkeCalls(this IServiceCollection services, YunkeOptions.CallOptions options,
        YunkeOptions.SipOptions sip, YunkeOptions.RtpOptions rtp)
    {
        services.AddSingleton(new CallSettings(TimeSpan.FromSeconds(options.RingTimeoutSeconds)));
        services.AddSingleton<AgentPhones>();
        // RTP binds to the address SIP advertises, so the SDP Yunke writes names where it really listens.
        var address = IPAddress.TryParse(sip.Host, out var parsed) ? parsed : Dns.GetHostAddresses(sip.Host)[0];
        services.AddSingleton(new RtpPortAllocator(address, rtp.PortMin, rtp.PortMax));
        services.AddSingleton<ICallMediaFactory>(sp => new AnchoredMediaFactory(sp.GetRequiredService<RtpPortAllocator>(), sip.Host,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CallServices>();
        services.AddSingleton<CallController>();
        services.AddSingleton<ISipMethodHandler, InviteHandler>();
        services.AddSingleton<ISipMethodHandler, AckHandler>();
        services.AddSingleton<ISipMethodHandler, ByeHandler>();
        services.AddSingleton<ISipMethodHandler, CancelHandler>();
        return services;
    }
}
