using System.Net;
using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony;

/// <summary>
/// Yunke's SIP endpoint: UDP and TCP on <c>Yunke:Sip:Host</c> at <c>Port</c> and <c>PoolPort</c> (the two
/// registrars of pool mode, sharing one binding store), and WebSocket connections from <c>/sip</c>.
/// Starts after the binding store has loaded, so the first REGISTER already sees the bindings of before a restart.
/// </summary>
public sealed class TelephonyHost(SipDispatcher dispatcher, TelephonyHost.Settings settings, TimeProvider clock, ILogger<TelephonyHost> log)
    : IHostedService, IAsyncDisposable
{
    public sealed record Settings(string Host, IReadOnlyList<int> Ports);

    private SipEndpoint? endpoint;
    private readonly Lock stopLock = new();
    private Task? stopped;

    /// <summary>True once every SIP listener is bound: <c>/healthz</c> waits for it.</summary>
    public bool IsListening => Volatile.Read(ref endpoint) is not null;

    public SipEndpoint Endpoint => Volatile.Read(ref endpoint) ?? throw new InvalidOperationException("SIP is not listening yet.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.TryParse(settings.Host, out var parsed) ? parsed : (await Dns.GetHostAddressesAsync(settings.Host, cancellationToken))[0];
        var sip = new SipEndpoint(dispatcher.HandleAsync, clock);
        try
        {
            foreach (var port in settings.Ports.Distinct())
            {
                try
                {
                    sip.ListenUdp(new IPEndPoint(address, port));
                    sip.ListenTcp(new IPEndPoint(address, port));
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    throw new InvalidOperationException(
                        $"Cannot listen for SIP on {address}:{port} ({e.Message}); choose other ports with Yunke:Sip:Port and Yunke:Sip:PoolPort.", e);
                }
            }
        }
        catch
        {
            await sip.DisposeAsync();
            throw;
        }
        Volatile.Write(ref endpoint, sip);
        log.LogInformation("SIP is listening on {Listeners}", string.Join(", ", sip.Transports.Select(t => $"{t.Kind} {t.LocalEndPoint}")));
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <summary>Closes the listeners; a second, concurrent stop (hosts may stop twice) waits for the same close.</summary>
    public ValueTask DisposeAsync()
    {
        lock (stopLock) stopped ??= Interlocked.Exchange(ref endpoint, null)?.DisposeAsync().AsTask() ?? Task.CompletedTask;
        return new(stopped);
    }
}
