using System.Text.RegularExpressions;

namespace Yunke.Sip.Messages;

/// <summary>
/// The checks that make a syntactically framed message one an element may act on: the core header
/// fields are present, single and well formed (RFC 3261 8.1.1, 8.2.2, 20). Errors are worded as reason
/// phrases, as RFC 3261 21.4.1 asks for a 400.
/// </summary>
internal static partial class SipValidator
{
    private static readonly string[] Required =
        [SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq];

    private static readonly string[] SingleValued =
        [SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards,
         SipHeaderNames.ContentType, SipHeaderNames.Expires, SipHeaderNames.MinExpires, SipHeaderNames.Date];

    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")]
    private static partial Regex SipDate();

    public static (string? Error, int Status) Validate(SipMessage message)
    {
        var request = message as SipRequest;
        if (message.Version != "SIP/2.0")
            return ("Version Not Supported", request is null ? 400 : 505);

        var headers = message.Headers;
        foreach (var name in Required)
            if (!headers.Contains(name)) return ($"Missing {name} header", 400);
        foreach (var name in SingleValued)
            if (headers.CountOf(name) > 1) return ($"Multiple {name} headers", 400);

        if (!NameAddress.TryParse(headers.Get(SipHeaderNames.From)!, out _, out var fromError)) return ($"Invalid From header: {fromError}", 400);
        if (!NameAddress.TryParse(headers.Get(SipHeaderNames.To)!, out var to, out var toError)) return ($"Invalid To header: {toError}", 400);
        message.ToAddress = to; // every response to a request needs it again

        var callId = headers.Get(SipHeaderNames.CallId)!;
        if (callId.Length == 0 || callId.Any(SipSyntax.IsWhitespace)) return ("Invalid Call-ID header", 400);

        if (!CSeq.TryParse(headers.Get(SipHeaderNames.CSeq)!, out var cseq, out var cseqError)) return ($"Invalid CSeq header: {cseqError}", 400);
        if (request is not null && cseq.Method != request.Method) return ("CSeq method does not match the request method", 400);

        if (headers.Get(SipHeaderNames.MaxForwards) is { } maxForwards && !SipSyntax.TryParseUInt(maxForwards, 255, out _))
            return ("Invalid Max-Forwards header", 400);

        foreach (var value in headers.GetValues(SipHeaderNames.Via))
            if (!Via.TryParse(value, out _, out var error)) return ($"Invalid Via header: {error}", 400);

        var contacts = headers.GetValues(SipHeaderNames.Contact);
        foreach (var value in contacts)
        {
            if (!SipContact.TryParse(value, out var contact, out var error)) return ($"Invalid Contact header: {error}", 400);
            if (contact.IsWildcard && contacts.Count > 1) return ("Contact * must stand alone", 400);
        }

        foreach (var name in (ReadOnlySpan<string>)[SipHeaderNames.Route, SipHeaderNames.RecordRoute])
            foreach (var value in headers.GetValues(name))
                if (!NameAddress.TryParse(value, out _, out var error)) return ($"Invalid {name} header: {error}", 400);

        if (headers.Get(SipHeaderNames.ContentType) is { } contentType && !IsMediaType(contentType))
            return ("Invalid Content-Type header", 400);

        if (headers.Get(SipHeaderNames.Date) is { } date && !SipDate().IsMatch(date))
            return ("Invalid Date header", 400);

        // RFC 3261 19.1.1: headers are not allowed in a Request-URI (RFC 4475 3.1.2.11).
        if (request is not null && request.Uri.IsSip && request.Uri.Headers.Count > 0)
            return ("Request-URI must not contain headers", 400);

        return (null, 0);
    }

    private static bool IsMediaType(string value)
    {
        var s = value.AsSpan();
        var semi = s.IndexOf(';');
        var type = (semi < 0 ? s : s[..semi]).Trim();
        var slash = type.IndexOf('/');
        if (slash < 0 || !SipSyntax.IsToken(type[..slash].Trim()) || !SipSyntax.IsToken(type[(slash + 1)..].Trim())) return false;
        return semi < 0 || SipParameters.TryParse(s[semi..], new SipParameters(), out _);
    }
}
