using System.Text;
using Yunke.Sip.Endpoints;
using Yunke.Sip.Messages;

namespace Yunke.Server.Tests.Telephony;

/// <summary>
/// Call steps for <see cref="SipPhone"/>: a caller that INVITEs, ACKs, CANCELs and hangs up, and an agent's
/// phone that rings, answers with SDP and hangs up, each written from RFC 3261 as a real UA would send them.
/// </summary>
public static class SipCalls
{
    /// <summary>An audio offer or answer from the phone's address: PCMU, PCMA and telephone-event unless told otherwise.</summary>
    public static string Sdp(SipPhone phone, int rtpPort, string formats = "0 8 101") =>
        $"v=0\r\no=- {rtpPort} 1 IN IP4 {phone.Local.Address}\r\ns=-\r\nc=IN IP4 {phone.Local.Address}\r\nt=0 0\r\n" +
        $"m=audio {rtpPort} RTP/AVP {formats}\r\n" +
        string.Concat(formats.Split(' ').Select(f => f switch
        {
            "0" => "a=rtpmap:0 PCMU/8000\r\n",
            "8" => "a=rtpmap:8 PCMA/8000\r\n",
            "18" => "a=rtpmap:18 G729/8000\r\n",
            "101" => "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n",
            _ => "",
        })) + "a=sendrecv\r\n";

    /// <summary>The next request of that method (optionally of one dialog), or null when none came in time.</summary>
    public static async Task<SipRequest?> RequestAsync(this SipPhone phone, string method, string? callId = null, TimeSpan? within = null) =>
        (SipRequest?)await phone.NextAsync(m => m is SipRequest r && r.Method == method && (callId is null || r.CallId == callId), within);

    /// <summary>A response of that status to a request of this phone's dialog, or null.</summary>
    public static async Task<SipResponse?> ResponseAsync(this SipPhone phone, string callId, string method, int status, TimeSpan? within = null) =>
        (SipResponse?)await phone.NextAsync(m => m is SipResponse r && r.CallId == callId && r.CSeq?.Method == method && r.StatusCode == status, within);

    /// <summary>Answers a request the way a UAS does (RFC 3261 8.2.6), with our To tag and optional Contact and SDP.</summary>
    public static SipResponse Reply(this SipPhone phone, SipRequest request, int status, string phrase, string toTag, string? sdp = null)
    {
        var response = SipResponse.CreateFor(request, status, phrase, toTag);
        if (request.Method == "INVITE" && status < 300) response.Headers.Add(SipHeaderNames.Contact, phone.Contact("phone"));
        if (sdp is not null) response.SetBody("application/sdp", sdp);
        phone.Send(response);
        return response;
    }

    /// <summary>A request inside a dialog this phone is in, e.g. a BYE from the agent's phone after it answered.</summary>
    public static SipRequest InDialog(this SipPhone phone, string method, SipUri target, string from, string to, string callId, uint cseq)
    {
        var request = new SipRequest(method, target);
        request.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/{phone.Transport} {phone.Local};rport;branch={SipEndpoint.NewBranch()}");
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, from);
        request.Headers.Add(SipHeaderNames.To, to);
        request.Headers.Add(SipHeaderNames.CallId, callId);
        request.Headers.Add(SipHeaderNames.CSeq, $"{cseq} {method}");
        return request;
    }
}

/// <summary>A caller's call: the INVITE it sent and what it can do next.</summary>
public sealed class CallerCall
{
    private CallerCall(SipPhone phone, SipRequest invite)
    {
        Phone = phone;
        Invite = invite;
    }

    public SipPhone Phone { get; }
    public SipRequest Invite { get; }
    public string CallId => Invite.CallId!;

    public static CallerCall Dial(SipPhone phone, int serverPort, string number, string? sdp, string caller = "13800138000", string extraHeaders = "")
    {
        var text = new StringBuilder()
            .Append($"INVITE sip:{number}@127.0.0.1:{serverPort} SIP/2.0\r\n")
            .Append($"Via: SIP/2.0/{phone.Transport} {phone.Local};rport;branch={SipEndpoint.NewBranch()}\r\n")
            .Append("Max-Forwards: 70\r\n")
            .Append($"From: <sip:{caller}@{phone.Local.Address}>;tag={SipEndpoint.NewToken()}\r\n")
            .Append($"To: <sip:{number}@127.0.0.1>\r\n")
            .Append($"Call-ID: {Guid.NewGuid():N}@caller\r\nCSeq: 1 INVITE\r\n")
            .Append($"Contact: {phone.Contact(caller)}\r\n")
            .Append(extraHeaders);
        if (sdp is not null) text.Append($"Content-Type: application/sdp\r\nContent-Length: {Encoding.UTF8.GetByteCount(sdp)}\r\n\r\n{sdp}");
        else text.Append("Content-Length: 0\r\n\r\n");
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var invite = (SipRequest)SipParser.Parse(bytes).Message!;
        phone.SendRaw(bytes);
        return new CallerCall(phone, invite);
    }

    /// <summary>The INVITE's final response, or null when none came in time.</summary>
    public async Task<SipResponse?> FinalAsync(TimeSpan? within = null) =>
        (SipResponse?)await Phone.NextAsync(m => m is SipResponse { IsProvisional: false } r && r.CallId == CallId && r.CSeq?.Method == "INVITE", within);

    /// <summary>A provisional response of that status, or null.</summary>
    public Task<SipResponse?> ProvisionalAsync(int status, TimeSpan? within = null) => Phone.ResponseAsync(CallId, "INVITE", status, within);

    /// <summary>ACK for a 2xx: a new transaction to the remote target (RFC 3261 13.2.2.4).</summary>
    public void Ack(SipResponse ok) => Phone.Send(InDialog("ACK", ok, 1));

    public async Task<SipResponse?> ByeAsync(SipResponse ok)
    {
        Phone.Send(InDialog("BYE", ok, 2));
        return await Phone.ResponseAsync(CallId, "BYE", 200);
    }

    /// <summary>CANCEL: the INVITE's Request-URI, Via (same branch), From, To, Call-ID, with CSeq method CANCEL (RFC 3261 9.1).</summary>
    public async Task<SipResponse?> CancelAsync()
    {
        var cancel = new SipRequest("CANCEL", Invite.Uri);
        foreach (var name in new[] { SipHeaderNames.Via, SipHeaderNames.MaxForwards, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId })
            cancel.Headers.Add(name, Invite.Headers.Get(name)!);
        cancel.Headers.Add(SipHeaderNames.CSeq, "1 CANCEL");
        Phone.Send(cancel);
        return (SipResponse?)await Phone.NextAsync(m => m is SipResponse { IsProvisional: false } r && r.CallId == CallId && r.CSeq?.Method == "CANCEL");
    }

    /// <summary>A request in the caller's dialog (re-INVITE, UPDATE, BYE): to Yunke's Contact, with the dialog's tags.</summary>
    public SipRequest InDialog(string method, SipResponse ok, uint cseq) =>
        Phone.InDialog(method, ok.Contacts[0].Address!.Uri, Invite.Headers.Get(SipHeaderNames.From)!, ok.Headers.Get(SipHeaderNames.To)!, CallId, cseq);
}
