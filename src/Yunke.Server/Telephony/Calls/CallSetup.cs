using System.Net;
using Yunke.Media.Dtls;
using Yunke.Media.Sessions;
using Yunke.Server.Hosting;

namespace Yunke.Server.Telephony.Calls;

public static class CallSetup
{
    /// <summary>Call control: the SIP handlers of calls, the controller, where agents' phones ring, and the media seam.</summary>
    public static IServiceCollection AddYunkeCalls(this IServiceCollection services, YunkeOptions.CallOptions options,
        YunkeOptions.SipOptions sip, YunkeOptions.RtpOptions rtp)
    {
        IPEndPoint? trunk = null;
        if (!string.IsNullOrWhiteSpace(sip.Trunk) && !IPEndPoint.TryParse(sip.Trunk, out trunk))
            throw new InvalidOperationException($"Yunke:Sip:Trunk must be an address and port (\"192.0.2.10:5060\"), not \"{sip.Trunk}\".");
        if (options.MinSessionExpiresSeconds < 1 || options.SessionExpiresSeconds < options.MinSessionExpiresSeconds)
            throw new InvalidOperationException("Yunke:Calls:SessionExpiresSeconds must be at least Yunke:Calls:MinSessionExpiresSeconds, which must be positive.");
        if (options.MaxCalls < 0 || !(options.MaxMediaLoad is >= 0 and <= 1))
            throw new InvalidOperationException("Yunke:Calls:MaxCalls must be 0 (no limit) or more, Yunke:Calls:MaxMediaLoad 0 (no check) to 1.");
        services.AddSingleton(new CallSettings(TimeSpan.FromSeconds(options.RingTimeoutSeconds), trunk)
        {
            MediaTimeout = TimeSpan.FromSeconds(options.MediaTimeoutSeconds),
            SessionTimers = new SessionTimerSettings(options.SessionExpiresSeconds, options.MinSessionExpiresSeconds),
            MaxCalls = options.MaxCalls,
            MaxMediaLoad = options.MaxMediaLoad,
        });
        // Read when the first call needs them (not while only building the host, e.g. for design-time tools).
        services.AddSingleton(_ => CallPrompts.Load(options.QueuePrompt, options.HoldMusic));
        services.AddSingleton<AgentPhones>();
        // RTP binds to the address SIP advertises, so the SDP Yunke writes names where it really listens.
        var address = IPAddress.TryParse(sip.Host, out var parsed) ? parsed : Dns.GetHostAddresses(sip.Host)[0];
        services.AddSingleton(new RtpPortAllocator(address, rtp.PortMin, rtp.PortMax));
        services.AddSingleton<ICallMediaFactory>(sp => new AnchoredMediaFactory(sp.GetRequiredService<RtpPortAllocator>(), sip.Host,
            sp.GetRequiredService<CallPrompts>(), DtlsCertificate.Shared, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CallAdmission>();
        services.AddSingleton<CallChanges>();
        services.AddSingleton<CallServices>();
        services.AddSingleton<CallController>();
        services.AddScoped<AgentCalls>();
        services.AddSingleton<ISipMethodHandler, InviteHandler>();
        services.AddSingleton<ISipMethodHandler, AckHandler>();
        services.AddSingleton<ISipMethodHandler, ByeHandler>();
        services.AddSingleton<ISipMethodHandler, CancelHandler>();
        services.AddSingleton<ISipMethodHandler, UpdateHandler>();
        return services;
    }
}
