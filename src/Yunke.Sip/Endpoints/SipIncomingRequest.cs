using Yunke.Sip.Messages;
using Yunke.Sip.Transactions;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Endpoints;

/// <summary>A new request for the core to answer, with the server transaction that carries its responses.</summary>
public sealed class SipIncomingRequest
{
    internal SipIncomingRequest(SipInbound inbound, SipServerTransaction? transaction)
    {
        Inbound = inbound;
        Transaction = transaction;
        Request = (SipRequest)inbound.Message;
    }

    public SipRequest Request { get; }
    /// <summary>How it arrived: transport, addresses, the flow to reach the sender.</summary>
    public SipInbound Inbound { get; }
    /// <summary>Null for an ACK (a 2xx ACK has no transaction: it belongs to the dialog) and for RFC 2543 requests without a branch cookie.</summary>
    public SipServerTransaction? Transaction { get; }

    /// <summary>The To tag of every response this endpoint creates for the request, so they all name the same dialog.</summary>
    public string ToTag { get; } = SipEndpoint.NewToken();

    /// <summary>A response with the headers RFC 3261 8.2.6.2 requires, ready to complete and <see cref="Respond(SipResponse)"/>.</summary>
    public SipResponse CreateResponse(int statusCode, string reasonPhrase) =>
        SipResponse.CreateFor(Request, statusCode, reasonPhrase, ToTag);

    /// <summary>Sends a response through the transaction (which repeats it for retransmitted requests); ACKs are never answered.</summary>
    public void Respond(SipResponse response)
    {
        if (Request.Method == "ACK") return;
        if (Transaction is not null) Transaction.SendResponse(response);
        else Inbound.Flow.Send(response);
    }

    public void Respond(int statusCode, string reasonPhrase) => Respond(CreateResponse(statusCode, reasonPhrase));
}
