using Yunke.Sip.Endpoints;

namespace Yunke.Server.Telephony;

/// <summary>
/// What Yunke does with new requests of one SIP method. Register one per method in
/// <see cref="TelephonySetup"/>; <see cref="SipDispatcher"/> routes to it and lists it in Allow.
/// </summary>
public interface ISipMethodHandler
{
    string Method { get; }

    /// <summary>Answers through <paramref name="incoming"/>; an exception answers 500.</summary>
    Task HandleAsync(SipIncomingRequest incoming);
}
