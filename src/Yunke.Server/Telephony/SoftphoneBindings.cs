using System.Collections.Concurrent;
using System.Net;
using Yunke.Core.Registrations;
using Yunke.Sip.Transports;

namespace Yunke.Server.Telephony;

/// <summary>A registered softphone and the way to reach it: a UDP flow from the registrar's port, or the TCP/WebSocket connection it registered over.</summary>
/// <param name="Flow">Null when the connection it registered over has closed (e.g. after a restart); the phone is reachable again once it re-registers.</param>
public sealed record SoftphoneContact(SoftphoneBinding Binding, SipFlow? Flow);

/// <summary>
/// "Where does agent X ring?": the live bindings of <see cref="SoftphoneRegistrations"/> with the flows that
/// reach them. Requests to a phone must leave from the registrar it registered with and, over TCP or
/// WebSocket, on the very connection it opened (a NATed phone accepts nothing else; RFC 5626).
/// </summary>
public sealed class SoftphoneBindings(SoftphoneRegistrations registrations, IServiceProvider services)
{
    private readonly ConcurrentDictionary<(string Registrar, string Source), SipConnection> connections = new();

    public IReadOnlyList<SoftphoneContact> ContactsOf(Guid tenantId, string agentId)
    {
        var host = services.GetRequiredService<TelephonyHost>();
        return registrations.Of(tenantId, agentId).Select(b => new SoftphoneContact(b, FlowTo(b, host))).ToList();
    }

    /// <summary>Keeps the connection a REGISTER came over, for requests to the phone later; forgets it when it closes.</summary>
    internal void Remember(string registrar, SipInbound inbound)
    {
        if (inbound.Flow is not SipConnection connection) return;
        var key = (registrar, inbound.Source.ToString());
        if (connections.TryGetValue(key, out var known) && known == connection) return;
        connections[key] = connection;
        connection.Completion.ContinueWith(_ => connections.TryRemove(new(key, connection)), TaskScheduler.Default);
    }

    private SipFlow? FlowTo(SoftphoneBinding binding, TelephonyHost host)
    {
        if (binding.Transport != "udp")
            return connections.TryGetValue((binding.Registrar, binding.Source), out var c) && !c.IsClosed ? c : null;
        var port = int.Parse(binding.Registrar[(binding.Registrar.LastIndexOf(':') + 1)..]);
        var udp = host.Endpoint.Transports.OfType<SipUdpTransport>().FirstOrDefault(t => t.LocalEndPoint.Port == port);
        // A UDP flow is only an address: making one costs nothing and never blocks.
        return udp is not null && IPEndPoint.TryParse(binding.Source, out var source) ? udp.GetFlowAsync(source).Result : null;
    }
}
