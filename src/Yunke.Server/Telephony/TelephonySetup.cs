using System.Net;
using System.Security.Cryptography;
using Yunke.Core.Acd;
using Yunke.Core.Agents;
using Yunke.Core.Registrations;
using Yunke.Server.Api;
using Yunke.Server.Hosting;
using Yunke.Server.Telephony.Calls;
using Yunke.Sip.Digest;
using Yunke.Sip.Transports;

namespace Yunke.Server.Telephony;

public static class TelephonySetup
{
    /// <summary>The SIP side of the host: registrar policy, handlers by method, and the listeners (started after Core's hosted services).</summary>
    public static IServiceCollection AddYunkeTelephony(this IServiceCollection services, YunkeOptions.SipOptions sip, YunkeOptions.RtpOptions rtp, YunkeOptions.CallOptions calls)
    {
        services.AddSingleton(new SipPlatform(sip.Host, sip.Port, sip.PoolPort, sip.Realm));
        services.AddSingleton(new RegistrarPolicy(sip.MinExpires, sip.MaxExpires, sip.DefaultExpires, sip.MaxContacts));
        services.AddSingleton(new SipAuthGuard.Settings(sip.MaxAuthFailures, TimeSpan.FromSeconds(sip.AuthFailureWindowSeconds)));
        // Nonces are signed with a key of this process: after a restart a phone's old nonce is simply challenged again.
        services.AddSingleton(sp => new DigestAuthenticator(sip.Realm, RandomNumberGenerator.GetBytes(32), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SipAuthGuard>();
        // The ACD offers calls only to agents whose phone is registered.
        services.AddSingleton<IAgentReachability>(sp => sp.GetRequiredService<SoftphoneRegistrations>());
        services.AddSingleton<SoftphoneBindings>();

        services.AddSingleton<ISipMethodHandler, RegisterHandler>();
        services.AddYunkeCalls(calls, sip, rtp);
        services.AddSingleton<SipDispatcher>();

        services.AddSingleton(new TelephonyHost.Settings(sip.Host, [sip.Port, sip.PoolPort]));
        services.AddSingleton<TelephonyHost>();
        services.AddHostedService(sp => sp.GetRequiredService<TelephonyHost>());
        // Hosted services stop in reverse order: calls end while SIP, agent states and the database are still there.
        services.AddHostedService(sp => sp.GetRequiredService<CallController>());
        return services;
    }

    /// <summary>SIP over WebSocket (RFC 7118) at <c>/sip</c>, for browser phones; authentication is SIP digest, as on the other transports.</summary>
    public static void MapTelephony(this WebApplication app) =>
        app.Map("/sip", async (HttpContext http, TelephonyHost host) =>
        {
            if (!http.WebSockets.IsWebSocketRequest || !http.WebSockets.WebSocketRequestedProtocols.Contains(SipWebSocketConnection.SubProtocol))
            {
                await Results.Problem(ProblemMapping.Create(400, "webSocketRequired", "This is the SIP WebSocket endpoint.",
                    $"Connect with a WebSocket asking for the subprotocol '{SipWebSocketConnection.SubProtocol}' (RFC 7118).")).ExecuteAsync(http);
                return;
            }
            using var socket = await http.WebSockets.AcceptWebSocketAsync(SipWebSocketConnection.SubProtocol);
            var local = new IPEndPoint(http.Connection.LocalIpAddress ?? IPAddress.Loopback, http.Connection.LocalPort);
            var remote = new IPEndPoint(http.Connection.RemoteIpAddress ?? IPAddress.Loopback, http.Connection.RemotePort);
            await host.Endpoint.RunWebSocketAsync(socket, local, remote, http.RequestAborted);
        }).ExcludeFromDescription();
}
