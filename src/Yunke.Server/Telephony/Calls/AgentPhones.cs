using Yunke.Core.Agents;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Server.Telephony.Calls;

/// <summary>One registered phone of an agent, and the flow that reaches it.</summary>
public sealed record PhoneContact(SipUri Uri, SipFlow Flow)
{
    /// <summary>A phone registered over WebSocket is a browser's (RFC 7118 is how browsers speak SIP): it is offered WebRTC.</summary>
    public bool Browser => Flow.Kind == SipTransportKind.WebSocket;
}

/// <summary>An agent's softphone as a call needs it: its number, its auto-answer setting, where it rings.</summary>
/// <param name="AutoAnswerAfter">Seconds the phone waits before answering by itself; null when the agent answers.</param>
public sealed record AgentPhone(string Number, int? AutoAnswerAfter, IReadOnlyList<PhoneContact> Contacts);

/// <summary>Where an agent's call rings: its live registrations that Yunke can reach, with the agent's number and auto-answer setting.</summary>
public sealed class AgentPhones(SoftphoneBindings bindings, AgentRingSettings settings)
{
    public async Task<AgentPhone?> FindAsync(Guid tenantId, string agentId)
    {
        if (await settings.FindAsync(tenantId, agentId) is not { } ring) return null;
        // A phone registered with both pool registrars is one phone: ring it once, on its latest registration.
        var contacts = bindings.ContactsOf(tenantId, agentId)
            .Where(c => c.Flow is not null)
            .GroupBy(c => c.Binding.Contact)
            .Select(g => g.MaxBy(c => c.Binding.RegisteredAt)!)
            .Select(c => SipUri.TryParse(c.Binding.Contact, out var uri) ? new PhoneContact(uri, c.Flow!) : null)
            .OfType<PhoneContact>()
            .ToList();
        return new AgentPhone(ring.SoftphoneNumber, ring.AutoAnswerAfter, contacts);
    }
}
