namespace Yunke.Sip.Messages;

/// <summary>
/// What parsing produced: a message, or the reason it was refused. Parsing never throws for bad input;
/// a refused request can still be answered, since the header fields that routing a response needs
/// are kept whenever they could be read.
/// </summary>
public sealed class SipParseResult
{
    private readonly SipHeaders? headers;

    private SipParseResult(SipMessage? message, string? error, int errorStatus, bool? isRequest, SipHeaders? headers, int consumed)
    {
        Message = message;
        Error = error;
        ErrorStatusCode = errorStatus;
        IsRequest = isRequest;
        this.headers = headers;
        BytesConsumed = consumed;
    }

    /// <summary>The message; set when parsing succeeded, and also when only validation failed.</summary>
    public SipMessage? Message { get; }

    /// <summary>Why the message was refused, worded to serve as the reason phrase of the answer.</summary>
    public string? Error { get; }

    /// <summary>The status to answer a refused request with (400, or 505 for another SIP version); 0 on success.</summary>
    public int ErrorStatusCode { get; }

    /// <summary>True for a request, false for a response, null when not even the start line was recognizable.</summary>
    public bool? IsRequest { get; }

    /// <summary>Bytes the message took from the input, including leading keep-alive CRLFs; extra octets
    /// after the body of a datagram are not counted (RFC 3261 18.3).</summary>
    public int BytesConsumed { get; }

    public bool IsSuccess => Error is null;

    internal static SipParseResult Success(SipMessage message, int consumed) =>
        new(message, null, 0, message is SipRequest, message.Headers, consumed);

    internal static SipParseResult Failure(string error, bool? isRequest = null, SipHeaders? headers = null,
        SipMessage? message = null, int status = 400, int consumed = 0) =>
        new(message, error, status, isRequest, headers ?? message?.Headers, consumed);

    /// <summary>
    /// The response to send for a refused request (RFC 3261 21.4.1: the reason phrase names the problem),
    /// or null when the input was a response (never answered) or lacks what a response needs to find its way back.
    /// </summary>
    public SipResponse? CreateErrorResponse()
    {
        if (IsSuccess || IsRequest != true || headers is null) return null;
        foreach (var required in (ReadOnlySpan<string>)[SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq])
            if (!headers.Contains(required)) return null;
        var response = new SipResponse(ErrorStatusCode, Error!);
        foreach (var h in headers)
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.From or SipHeaderNames.To or SipHeaderNames.CallId or SipHeaderNames.CSeq)
                response.Headers.AddCanonical(h.Name, h.Value);
        return response;
    }
}
