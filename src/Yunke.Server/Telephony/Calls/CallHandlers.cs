using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony.Calls;

/// <summary>INVITE: a new call to an access code (or a re-INVITE in one).</summary>
public sealed class InviteHandler(CallController calls) : ISipMethodHandler
{
    public string Method => "INVITE";

    public Task HandleAsync(SipIncomingRequest incoming) => calls.InviteAsync(incoming);
}

/// <summary>ACK for a 2xx: it belongs to the dialog, not to a transaction (RFC 3261 13.2.2.4); never answered.</summary>
public sealed class AckHandler(CallController calls) : ISipMethodHandler
{
    public string Method => "ACK";

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        calls.Ack(incoming);
        return Task.CompletedTask;
    }
}

/// <summary>BYE from the caller or from an agent's phone ends both legs.</summary>
public sealed class ByeHandler(CallController calls) : ISipMethodHandler
{
    public string Method => "BYE";

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        calls.Bye(incoming);
        return Task.CompletedTask;
    }
}

/// <summary>CANCEL from the caller while the call is not answered yet.</summary>
public sealed class CancelHandler(CallController calls) : ISipMethodHandler
{
    public string Method => "CANCEL";

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        calls.Cancel(incoming);
        return Task.CompletedTask;
    }
}

/// <summary>UPDATE inside a call: a session refresh (RFC 4028) or a new offer (RFC 3311).</summary>
public sealed class UpdateHandler(CallController calls) : ISipMethodHandler
{
    public string Method => "UPDATE";

    public Task HandleAsync(SipIncomingRequest incoming)
    {
        calls.InDialog(incoming);
        return Task.CompletedTask;
    }
}
