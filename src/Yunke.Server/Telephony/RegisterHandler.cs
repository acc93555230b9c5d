using System.Globalization;
using System.Security.Cryptography;
using Yunke.Core.Agents;
using Yunke.Core.AgentStates;
using Yunke.Core.Registrations;
using Yunke.Sip.Digest;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Server.Telephony;

/// <summary>
/// The registrar (RFC 3261 10.3) for softphone numbers of every tenant: digest authentication against the
/// agent's stored HA1, then the contacts go to the shared <see cref="SoftphoneRegistrations"/>.
/// An unknown number is challenged like a known one and then refused 403 like a wrong password, so the
/// registrar does not tell strangers which numbers exist.
/// </summary>
public sealed class RegisterHandler(SoftphoneRegistrations registrations, SoftphoneDirectory directory, DigestAuthenticator digest,
    SipAuthGuard guard, SoftphoneBindings bindings, AgentStateHub agentStates, SipPlatform platform, TimeProvider clock) : ISipMethodHandler
{
    // Checked against when the number has no password: no one can produce a response for it.
    private static readonly string Unguessable = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string Method => "REGISTER";

    public async Task HandleAsync(SipIncomingRequest incoming)
    {
        var request = incoming.Request;
        var inbound = incoming.Inbound;
        if (guard.IsBlocked(inbound.Source.Address))
        {
            incoming.Respond(403, "Too Many Failed Authentications");
            return;
        }
        if (request.To?.Uri is not { IsSip: true, User: { } user })
        {
            incoming.Respond(400, "To Must Name A Softphone Number");
            return;
        }
        var number = SipUri.Unescape(user);

        if (request.Headers.Get(SipHeaderNames.Authorization) is not { } authorization)
        {
            Challenge(incoming, stale: false);
            return;
        }
        if (!DigestCredentials.TryParse(authorization, out var credentials, out var error))
        {
            incoming.Respond(400, $"Bad Authorization: {error}");
            return;
        }
        var account = await directory.FindAsync(number);
        switch (digest.Verify(credentials, Method, account?.Ha1 ?? Unguessable))
        {
            case DigestOutcome.Stale:
                Challenge(incoming, stale: true);
                return;
            case DigestOutcome.UnknownNonce or DigestOutcome.Replayed or DigestOutcome.Malformed:
                // Not proof of a wrong password (a nonce from before a restart, another realm): ask again.
                Challenge(incoming, stale: false);
                return;
            case DigestOutcome.WrongResponse:
                Refuse(incoming, number, account, "wrong password");
                return;
        }
        if (account is null || credentials.Username != number)
        {
            Refuse(incoming, number, account, "credentials of another number");
            return;
        }
        if (!account.InService)
        {
            incoming.Respond(403, "Instance Not In Service");
            return;
        }
        // A phone that comes back may ring for a call already waiting in the agent's queues.
        var wasReachable = registrations.IsReachable(account.TenantId, account.AgentId);
        if (Bind(incoming, account) && !wasReachable)
            (await agentStates.ForTenantAsync(account.TenantId)).Reconsider(account.AgentId);
    }

    /// <summary>Applies the contacts and answers; true when the agent now has a registered phone.</summary>
    private bool Bind(SipIncomingRequest incoming, SoftphoneAccount account)
    {
        var request = incoming.Request;
        var contacts = new List<ContactRequest>();
        var wildcard = false;
        foreach (var value in request.Headers.GetValues(SipHeaderNames.Contact))
        {
            if (!SipContact.TryParse(value, out var contact, out var error))
            {
                incoming.Respond(400, $"Bad Contact: {error}");
                return false;
            }
            if (contact.IsWildcard) wildcard = true;
            else
            {
                var uri = contact.Address!.Uri.ToString();
                if (uri.Length > SoftphoneBinding.MaxContactLength)
                {
                    incoming.Respond(400, "Contact Too Long");
                    return false;
                }
                contacts.Add(new ContactRequest(uri, contact.Expires));
            }
        }
        var callId = request.CallId!;
        if (callId.Length > SoftphoneBinding.MaxCallIdLength)
        {
            incoming.Respond(400, "Call-ID Too Long");
            return false;
        }

        var flow = incoming.Inbound.Flow;
        var registrar = $"{platform.Host}:{flow.LocalEndPoint.Port}";
        var result = registrations.Register(new RegisterRequest(account.TenantId, account.AgentId, registrar, Transport(flow.Kind),
            incoming.Inbound.Source.ToString(), callId, request.CSeq!.Value.Number, contacts, wildcard, request.Expires));

        switch (result.Outcome)
        {
            case RegisterOutcome.Registered:
                bindings.Remember(registrar, incoming.Inbound);
                incoming.Respond(Registered(incoming, result.Bindings));
                return result.Bindings.Count > 0;
            case RegisterOutcome.IntervalTooBrief:
                var tooBrief = incoming.CreateResponse(423, "Interval Too Brief");
                tooBrief.Headers.Add(SipHeaderNames.MinExpires, registrations.Policy.MinExpires.ToString(CultureInfo.InvariantCulture));
                incoming.Respond(tooBrief);
                return false;
            case RegisterOutcome.OutOfOrder:
                incoming.Respond(400, "CSeq Out Of Order");
                return false;
            case RegisterOutcome.TooManyContacts:
                incoming.Respond(403, "Too Many Contacts");
                return false;
            default:
                incoming.Respond(400, "Wildcard Contact Needs Expires 0 And No Other Contact");
                return false;
        }
    }

    /// <summary>200 OK with every current binding of the number and the seconds it has left (RFC 3261 10.3 step 8).</summary>
    private SipResponse Registered(SipIncomingRequest incoming, IReadOnlyList<SoftphoneBinding> current)
    {
        var now = clock.GetUtcNow();
        var ok = incoming.CreateResponse(200, "OK");
        // One Contact per URI: a phone registered through both pool registrars is one contact to it.
        foreach (var contact in current.GroupBy(b => b.Contact))
            ok.Headers.Add(SipHeaderNames.Contact, $"<{contact.Key}>;expires={contact.Max(b => b.SecondsLeftAt(now.UtcDateTime))}");
        ok.Headers.Add(SipHeaderNames.Date, now.ToString("r", CultureInfo.InvariantCulture));
        return ok;
    }

    private void Challenge(SipIncomingRequest incoming, bool stale)
    {
        var response = incoming.CreateResponse(401, "Unauthorized");
        response.Headers.Add(SipHeaderNames.WwwAuthenticate, digest.CreateChallenge(stale).ToString());
        incoming.Respond(response);
    }

    private void Refuse(SipIncomingRequest incoming, string number, SoftphoneAccount? account, string reason)
    {
        guard.Failed(incoming.Inbound.Source, number, account?.TenantId, Transport(incoming.Inbound.Kind), reason);
        incoming.Respond(403, "Forbidden");
    }

    internal static string Transport(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "udp",
        SipTransportKind.Tcp => "tcp",
        _ => "ws",
    };
}
