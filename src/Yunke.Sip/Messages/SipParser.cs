using System.Buffers;
using System.Text;

namespace Yunke.Sip.Messages;

/// <summary>
/// Parses one SIP message from bytes (RFC 3261 section 7 and 25). The input is a datagram or a message
/// the stream framer has cut out: a Content-Length shorter than what follows wins (the rest is noise,
/// RFC 4475 3.1.1.8), a longer one is an error (3.1.2.2), and a missing one means "the rest".
/// </summary>
public static class SipParser
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    public static SipParseResult Parse(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment) return Parse(data.FirstSpan);
        if (data.Length > int.MaxValue) return SipParseResult.Failure("Message too large");
        var length = (int)data.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.CopyTo(rented);
            return Parse(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static SipParseResult Parse(ReadOnlySpan<byte> data)
    {
        var pos = 0;
        while (data.Length - pos >= 2 && data[pos] == '\r' && data[pos + 1] == '\n') pos += 2;
        var input = data[pos..];
        var headerEnd = input.IndexOf(HeaderEnd);
        if (headerEnd < 0) return SipParseResult.Failure("Incomplete message: no end of header section");

        var head = input[..headerEnd];
        var firstLineEnd = head.IndexOf(Crlf);
        if (firstLineEnd < 0) firstLineEnd = head.Length;
        // The start line is decoded onto the stack: its parts become strings (or constants), the line never does.
        var lineBytes = head[..firstLineEnd];
        char[]? rentedLine = null;
        var lineChars = lineBytes.Length <= 256
            ? stackalloc char[256]
            : (rentedLine = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(lineBytes.Length)));
        var startLine = lineChars[..Encoding.UTF8.GetChars(lineBytes, lineChars)];
        var isRequest = !startLine.StartsWith("SIP/", StringComparison.Ordinal);

        // Header fields go straight into the message; if the start line is bad they are still read,
        // into a bare collection, so the refusal can be answered.
        var message = ParseStartLine(startLine, isRequest, out var startError);
        if (rentedLine is not null) ArrayPool<char>.Shared.Return(rentedLine);
        var headers = message?.Headers ?? new SipHeaders();
        headers.Reserve(head.Count((byte)'\n')); // a field per line, fewer when folded
        int? contentLength = null;
        var contentLengthCount = 0;
        string? headerError = null;
        var i = firstLineEnd + 2;
        while (i < head.Length && headerError is null)
        {
            var end = FieldEnd(head, i);
            headerError = ReadField(head[i..end], headers, ref contentLength, ref contentLengthCount);
            i = end + 2;
        }
        if (headerError is not null) return SipParseResult.Failure(headerError, isRequest, headers);
        if (message is null) return SipParseResult.Failure(startError!, isRequest, headers);

        if (contentLengthCount > 1) return SipParseResult.Failure("Multiple Content-Length headers", isRequest, message: message);
        if (contentLengthCount == 1 && contentLength is null) return SipParseResult.Failure("Invalid Content-Length", isRequest, message: message);

        var bodyStart = headerEnd + 4;
        var available = input.Length - bodyStart;
        var bodyLength = contentLength ?? available;
        if (bodyLength > available)
            return SipParseResult.Failure("Content-Length larger than the message", isRequest, message: message);
        message.Body = bodyLength == 0 ? ReadOnlyMemory<byte>.Empty : input.Slice(bodyStart, bodyLength).ToArray();
        var consumed = pos + bodyStart + bodyLength;

        var (error, status) = SipValidator.Validate(message);
        return error is null
            ? SipParseResult.Success(message, consumed)
            : SipParseResult.Failure(error, isRequest, message: message, status: status, consumed: consumed);
    }

    // A field ends at a CRLF not followed by whitespace; CRLF + whitespace is a fold (RFC 3261 7.3.1).
    private static int FieldEnd(ReadOnlySpan<byte> head, int start)
    {
        var i = start;
        while (true)
        {
            var next = head[i..].IndexOf(Crlf);
            if (next < 0) return head.Length;
            i += next;
            if (i + 2 < head.Length && head[i + 2] is (byte)' ' or (byte)'\t')
            {
                i += 2;
                continue;
            }
            return i;
        }
    }

    private static string? ReadField(ReadOnlySpan<byte> field, SipHeaders headers, ref int? contentLength, ref int contentLengthCount)
    {
        if (field.IsEmpty) return "Empty header line";
        if (field[0] is (byte)' ' or (byte)'\t') return "Header line starts with whitespace";
        var colon = field.IndexOf((byte)':');
        if (colon < 0) return "Header line without a colon";

        var nameBytes = field[..colon];
        while (!nameBytes.IsEmpty && nameBytes[^1] is (byte)' ' or (byte)'\t') nameBytes = nameBytes[..^1];
        if (nameBytes.Length > 256 || !SipSyntax.IsToken(nameBytes)) return "Invalid header name";
        Span<char> nameChars = stackalloc char[nameBytes.Length];
        var name = SipHeaderNames.Canonicalize(nameChars[..System.Text.Encoding.ASCII.GetChars(nameBytes, nameChars)]);

        var value = DecodeValue(name, field[(colon + 1)..]);
        headers.AddCanonical(name, value);

        if (name == SipHeaderNames.ContentLength)
        {
            contentLengthCount++;
            contentLength = SipSyntax.TryParseUInt(value, int.MaxValue, out var n) ? (int)n : null;
        }
        return null;
    }

    // Unfolds (drops the CRLFs, keeps the whitespace that followed them) and trims.
    private static string DecodeValue(string name, ReadOnlySpan<byte> raw)
    {
        raw = raw.Trim(" \t\r\n"u8);
        if (raw.IndexOfAny((byte)'\r', (byte)'\n') < 0)
        {
            if (!Recurs(name) || raw.Length > SipStrings.MaxLength) return Encoding.UTF8.GetString(raw);
            Span<char> chars = stackalloc char[SipStrings.MaxLength]; // UTF-8 never has fewer bytes than chars
            return SipStrings.Get(chars[..Encoding.UTF8.GetChars(raw, chars)]);
        }
        var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        var n = 0;
        foreach (var b in raw)
            if (b is not ((byte)'\r' or (byte)'\n')) rented[n++] = b;
        var text = Encoding.UTF8.GetString(rented, 0, n);
        ArrayPool<byte>.Shared.Return(rented);
        return text;
    }

    /// <summary>Fields a phone or server sends the same from message to message, taken from <see cref="SipStrings"/>:
    /// its capabilities, its Contact, and the To of its REGISTERs (its own address) or of its calls (whom it calls).</summary>
    private static bool Recurs(string name) => name is SipHeaderNames.To or SipHeaderNames.Contact or SipHeaderNames.Allow or "Allow-Events" or SipHeaderNames.Accept
        or "Accept-Encoding" or "Accept-Language" or SipHeaderNames.Supported or SipHeaderNames.Require or SipHeaderNames.ProxyRequire
        or SipHeaderNames.Unsupported or SipHeaderNames.UserAgent or SipHeaderNames.Server or SipHeaderNames.ContentType
        or SipHeaderNames.ContentLength or SipHeaderNames.MaxForwards or SipHeaderNames.Expires or SipHeaderNames.MinExpires
        or SipHeaderNames.CSeq or "Event" or "Content-Disposition";

    private static SipMessage? ParseStartLine(ReadOnlySpan<char> line, bool isRequest, out string? error)
    {
        error = null;
        if (!isRequest)
        {
            // SIP-Version SP Status-Code SP Reason-Phrase; a missing reason phrase is tolerated (RFC 4475 3.1.1.13).
            var sp1 = line.IndexOf(' ');
            if (sp1 < 0 || !IsVersion(line[..sp1])) { error = "Malformed status line"; return null; }
            var rest = line[(sp1 + 1)..];
            var sp2 = rest.IndexOf(' ');
            var code = sp2 < 0 ? rest : rest[..sp2];
            if (code.Length != 3 || !SipSyntax.TryParseUInt(code, 999, out var status) || status < 100 || status > 699)
            {
                error = "Invalid status code";
                return null;
            }
            return new SipResponse((int)status, sp2 < 0 ? "" : ReasonPhrase(rest[(sp2 + 1)..])) { Version = Version(line[..sp1]) };
        }

        // Method SP Request-URI SP SIP-Version, with exactly one SP between them (RFC 4475 3.1.2.7-3.1.2.10).
        var first = line.IndexOf(' ');
        var last = line.LastIndexOf(' ');
        if (first <= 0 || last == first || last == first + 1 || last == line.Length - 1 || line[(first + 1)..last].Contains(' '))
        {
            error = "Malformed request line";
            return null;
        }
        var method = line[..first];
        var uriText = line[(first + 1)..last];
        var version = line[(last + 1)..];
        if (!SipSyntax.IsToken(method)) { error = "Invalid method"; return null; }
        if (!IsVersion(version)) { error = "Malformed request line: bad SIP version"; return null; }
        if (!SipUri.TryParse(uriText, out var uri, out var uriError)) { error = "Invalid Request-URI: " + uriError; return null; }
        return new SipRequest(SipSyntax.Method(method), uri) { Version = Version(version) };
    }

    private static string Version(ReadOnlySpan<char> version) => version is "SIP/2.0" ? "SIP/2.0" : version.ToString();

    private static string ReasonPhrase(ReadOnlySpan<char> phrase) => phrase switch
    {
        "OK" => "OK",
        "Trying" => "Trying",
        "Ringing" => "Ringing",
        "Session Progress" => "Session Progress",
        "Unauthorized" => "Unauthorized",
        _ => phrase.ToString(),
    };

    private static bool IsVersion(ReadOnlySpan<char> s)
    {
        if (!s.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)) return false;
        var v = s[4..];
        var dot = v.IndexOf('.');
        return dot > 0 && dot < v.Length - 1 && v[..dot].IndexOfAnyExceptInRange('0', '9') < 0 && v[(dot + 1)..].IndexOfAnyExceptInRange('0', '9') < 0;
    }
}
