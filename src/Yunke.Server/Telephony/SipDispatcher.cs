using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;

namespace Yunke.Server.Telephony;

/// <summary>
/// The core of Yunke's SIP endpoint: routes each new request to the handler of its method. It answers
/// OPTIONS itself, as OPTIONS asks what this dispatcher knows (RFC 3261 11: Allow, Accept), and refuses
/// what nobody handles: 405 for methods Yunke knows but does not take, 501 for the rest, both with Allow
/// (RFC 3261 8.2.1), and 420 for a Require it cannot meet (8.2.2.3): Yunke supports only session timers.
/// </summary>
public sealed class SipDispatcher
{
    /// <summary>Standard methods a phone may send that Yunke understands but does not serve.</summary>
    private static readonly HashSet<string> NotHere = ["SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "INFO", "PRACK", "UPDATE", "REFER"];

    /// <summary>The extensions Yunke implements, which a request may Require: session timers (RFC 4028).</summary>
    private static readonly HashSet<string> Supported = new(["timer"], StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, ISipMethodHandler> handlers;

    public SipDispatcher(IEnumerable<ISipMethodHandler> handlers)
    {
        this.handlers = handlers.ToDictionary(h => h.Method, StringComparer.Ordinal);
        Allow = string.Join(", ", this.handlers.Keys.Append("OPTIONS").Distinct());
    }

    /// <summary>The Allow header value: OPTIONS and every handled method.</summary>
    public string Allow { get; }

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        var method = incoming.Request.Method;
        if (method is not ("ACK" or "CANCEL")
            && incoming.Request.Headers.GetValues(SipHeaderNames.Require).Where(r => !Supported.Contains(r)).ToList() is { Count: > 0 } required)
        {
            var refusal = incoming.CreateResponse(420, "Bad Extension");
            refusal.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", required));
            incoming.Respond(refusal);
            return Task.CompletedTask;
        }
        if (handlers.TryGetValue(method, out var handler)) return handler.HandleAsync(incoming);

        var response = method == "OPTIONS" ? incoming.CreateResponse(200, "OK")
            : NotHere.Contains(method) ? incoming.CreateResponse(405, "Method Not Allowed")
            : incoming.CreateResponse(501, "Not Implemented");
        response.Headers.Add(SipHeaderNames.Allow, Allow);
        if (method == "OPTIONS")
        {
            response.Headers.Add(SipHeaderNames.Accept, "application/sdp");
            response.Headers.Add(SipHeaderNames.Supported, string.Join(", ", Supported));
        }
        incoming.Respond(response);
        return Task.CompletedTask;
    }
}
