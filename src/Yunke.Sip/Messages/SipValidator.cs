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

    /// <summary>The fields looked at below, each with its place in the table one pass over the message fills.</summary>
    private static int Slot(string name) => name switch
    {
        SipHeaderNames.Via => 0,
        SipHeaderNames.From => 1,
        SipHeaderNames.To => 2,
        SipHeaderNames.CallId => 3,
        SipHeaderNames.CSeq => 4,
        SipHeaderNames.MaxForwards => 5,
        SipHeaderNames.ContentType => 6,
        SipHeaderNames.Expires => 7,
        SipHeaderNames.MinExpires => 8,
        SipHeaderNames.Date => 9,
        SipHeaderNames.Contact => 10,
        SipHeaderNames.Route => 11,
        SipHeaderNames.RecordRoute => 12,
        _ => -1,
    };

    private const int Slots = 13;

    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")]
    private static partial Regex SipDate();

    /// <summary>
    /// Checks the message and leaves on it what it parsed on the way (top Via, From, To, CSeq, Contacts),
    /// since the transport, the transaction layer and the application ask for them again.
    /// </summary>
    public static (string? Error, int Status) Validate(SipMessage message)
    {
        var request = message as SipRequest;
        if (message.Version != "SIP/2.0")
            return ("Version Not Supported", request is null ? 400 : 505);

        // Header names are canonical (the parser stores known names as the SipHeaderNames constants),
        // so an ordinal comparison finds them.
        var headers = message.Headers;
        Span<int> count = stackalloc int[Slots];
        Span<int> first = stackalloc int[Slots];
        for (var i = 0; i < headers.Count; i++)
        {
            var k = Slot(headers[i].Name);
            if (k >= 0 && count[k]++ == 0) first[k] = i;
        }
        foreach (var name in Required)
            if (count[Slot(name)] == 0) return ($"Missing {name} header", 400);
        foreach (var name in SingleValued)
            if (count[Slot(name)] > 1) return ($"Multiple {name} headers", 400);

        if (!NameAddress.TryParse(ValueOf(headers, count, first, SipHeaderNames.From)!, out var from, out var fromError)) return ($"Invalid From header: {fromError}", 400);
        if (!NameAddress.TryParse(ValueOf(headers, count, first, SipHeaderNames.To)!, out var to, out var toError)) return ($"Invalid To header: {toError}", 400);
        message.FromAddress = from;
        message.ToAddress = to; // every response to a request needs it again

        var callId = ValueOf(headers, count, first, SipHeaderNames.CallId)!;
        if (callId.Length == 0 || callId.AsSpan().IndexOfAny(" \t\r\n") >= 0) return ("Invalid Call-ID header", 400);

        if (!CSeq.TryParse(ValueOf(headers, count, first, SipHeaderNames.CSeq)!, out var cseq, out var cseqError)) return ($"Invalid CSeq header: {cseqError}", 400);
        if (request is not null && cseq.Method != request.Method) return ("CSeq method does not match the request method", 400);
        message.CacheCSeq(cseq);

        if (ValueOf(headers, count, first, SipHeaderNames.MaxForwards) is { } maxForwards && !SipSyntax.TryParseUInt(maxForwards, 255, out _))
            return ("Invalid Max-Forwards header", 400);

        Via? topVia = null;
        foreach (var h in headers)
        {
            if (h.Name != SipHeaderNames.Via) continue;
            foreach (var value in SipSyntax.Elements(h.Value))
            {
                if (!Via.TryParse(value, out var via, out var error)) return ($"Invalid Via header: {error}", 400);
                topVia ??= via;
            }
        }
        message.CacheTopVia(topVia!);

        // Nearly always one Contact: then no list is made for it.
        SipContact? single = null;
        List<SipContact>? several = null;
        foreach (var h in headers)
        {
            if (h.Name != SipHeaderNames.Contact) continue;
            foreach (var value in SipSyntax.Elements(h.Value))
            {
                // A * before this element stands with another one: that is the first error in order.
                if (single is { IsWildcard: true }) return ("Contact * must stand alone", 400);
                if (!SipContact.TryParse(value, out var contact, out var error)) return ($"Invalid Contact header: {error}", 400);
                if (contact.IsWildcard && single is not null) return ("Contact * must stand alone", 400);
                if (single is null) single = contact;
                else (several ??= [single]).Add(contact);
            }
        }
        message.ContactValues = several ?? (single is null ? [] : [single]);

        foreach (var name in (ReadOnlySpan<string>)[SipHeaderNames.Route, SipHeaderNames.RecordRoute])
        {
            if (count[Slot(name)] == 0) continue;
            foreach (var h in headers)
            {
                if (h.Name != name) continue;
                foreach (var value in SipSyntax.Elements(h.Value))
                    if (!NameAddress.TryParse(value, out _, out var error)) return ($"Invalid {name} header: {error}", 400);
            }
        }

        if (ValueOf(headers, count, first, SipHeaderNames.ContentType) is { } contentType && !IsMediaType(contentType))
            return ("Invalid Content-Type header", 400);

        if (ValueOf(headers, count, first, SipHeaderNames.Date) is { } date && !SipDate().IsMatch(date))
            return ("Invalid Date header", 400);

        // RFC 3261 19.1.1: headers are not allowed in a Request-URI (RFC 4475 3.1.2.11).
        if (request is not null && request.Uri.IsSip && request.Uri.HasHeaders)
            return ("Request-URI must not contain headers", 400);

        return (null, 0);
    }

    /// <summary>The value of the first field of a checked name, from the table the pass over the fields made.</summary>
    private static string? ValueOf(SipHeaders headers, ReadOnlySpan<int> count, ReadOnlySpan<int> first, string name)
    {
        var k = Slot(name);
        return count[k] == 0 ? null : headers[first[k]].Value;
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
