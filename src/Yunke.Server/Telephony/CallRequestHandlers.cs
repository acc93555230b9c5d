using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony;

/// <summary>
/// Calls are not served yet (issue 5 builds them): INVITE is answered 480 Temporarily Unavailable, so a
/// phone shows a clean failure instead of a timeout.
/// </summary>
public sealed class InviteHandler : ISipMethodHandler
{
    public string Method => "INVITE";

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        incoming.Respond(480, "Temporarily Unavailable");
        return Task.CompletedTask;
    }
}

/// <summary>BYE and CANCEL name a call or transaction; with no calls yet there is none (RFC 3261 15.1.2, 9.2).</summary>
public sealed class NoSuchCallHandler(string method) : ISipMethodHandler
{
    public string Method => method;

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        incoming.Respond(481, "Call/Transaction Does Not Exist");
        return Task.CompletedTask;
    }
}

/// <summary>An ACK that matches no transaction belongs to a dialog; with no calls yet it is dropped (ACKs are never answered).</summary>
public sealed class AckHandler : ISipMethodHandler
{
    public string Method => "ACK";

    public Task HandleAsync(SipIncomingRequest incoming) => Task.CompletedTask;
}
