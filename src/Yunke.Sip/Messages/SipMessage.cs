using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Yunke.Sip.Messages;

/// <summary>
/// A SIP request or response: start line, header fields and body.
/// The header fields are the single truth: typed properties are parsed from them (once per change of the fields)
/// and return null or empty when a field is absent or malformed (the parser has already refused
/// malformed core fields of anything it hands out as valid).
/// </summary>
public abstract class SipMessage
{
    public string Version { get; set; } = "SIP/2.0";
    public SipHeaders Headers { get; } = new();
    public ReadOnlyMemory<byte> Body { get; set; } = ReadOnlyMemory<byte>.Empty;

    public string? CallId => Headers.Get(SipHeaderNames.CallId);

    // From, To and Contact are parsed once per version of the header fields (validation already parses them) and
    // handed out as copies: a caller may change what it gets, as it could when each read parsed anew.
    public NameAddress? From => FromAddress?.Copy();
    public NameAddress? To => ToAddress?.Copy();

    public CSeq? CSeq => Cached(ref cseq, static m =>
        m.Headers.Get(SipHeaderNames.CSeq) is { } v && Messages.CSeq.TryParse(v, out var c, out _) ? c : null);

    public int? MaxForwards =>
        Headers.Get(SipHeaderNames.MaxForwards) is { } v && SipSyntax.TryParseUInt(v.AsSpan().Trim(), 255, out var n) ? (int)n : null;

    /// <summary>The Expires header in seconds (capped at 2**32-1); null when absent or not a number.</summary>
    public uint? Expires
    {
        get
        {
            var v = Headers.Get(SipHeaderNames.Expires).AsSpan().Trim();
            if (v.IsEmpty || v.ContainsAnyExceptInRange('0', '9')) return null;
            return SipSyntax.TryParseUInt(v, uint.MaxValue, out var n) ? n : uint.MaxValue;
        }
    }

    public string? ContentType => Headers.Get(SipHeaderNames.ContentType);

    private Parsed<Via?> topVia;
    private Parsed<NameAddress?> fromAddress, toAddress;
    private Parsed<CSeq?> cseq;
    private Parsed<IReadOnlyList<SipContact>> contacts;

    /// <summary>
    /// The top Via, parsed once per version of the header fields: the transport, the transaction layer and the
    /// response routing all ask for it, several times per request. Shared: readers must not change it
    /// (<see cref="Vias"/> hands out fresh copies to change).
    /// </summary>
    internal Via? TopVia => Cached(ref topVia, static m =>
    {
        if (m.Headers.Get(SipHeaderNames.Via) is not { } vias) return null;
        var elements = SipSyntax.Elements(vias);
        return elements.MoveNext() && Via.TryParse(elements.Current, out var via, out _) ? via : null;
    });

    /// <summary>Sets the cached top Via: validation and the transport's stamping parsed it already.</summary>
    internal void CacheTopVia(Via via) => Cache(ref topVia, via);

    /// <summary>The From address as parsed once; shared like <see cref="TopVia"/>.</summary>
    internal NameAddress? FromAddress
    {
        get => Cached(ref fromAddress, static m => m.ParseAddress(SipHeaderNames.From));
        set => Cache(ref fromAddress, value);
    }

    /// <summary>The To address as parsed once, for building responses; shared like <see cref="TopVia"/>.</summary>
    internal NameAddress? ToAddress
    {
        get => Cached(ref toAddress, static m => m.ParseAddress(SipHeaderNames.To));
        set => Cache(ref toAddress, value);
    }

    internal void CacheCSeq(CSeq value) => Cache(ref cseq, value);

    /// <summary>The Contact values as parsed once (malformed ones left out); shared like <see cref="TopVia"/>.</summary>
    internal IReadOnlyList<SipContact> ContactValues
    {
        get => Cached(ref contacts, static m =>
        {
            var list = new List<SipContact>(1);
            foreach (var v in m.Headers.GetValues(SipHeaderNames.Contact))
                if (SipContact.TryParse(v, out var c, out _)) list.Add(c);
            return list;
        });
        set => Cache(ref contacts, value);
    }

    private T Cached<T>(ref Parsed<T> slot, Func<SipMessage, T> parse)
    {
        var version = Headers.Version;
        if (Volatile.Read(ref slot.VersionPlusOne) == version + 1) return slot.Value;
        var value = parse(this);
        slot.Value = value;
        Volatile.Write(ref slot.VersionPlusOne, version + 1);
        return value;
    }

    private void Cache<T>(ref Parsed<T> slot, T value)
    {
        slot.Value = value;
        Volatile.Write(ref slot.VersionPlusOne, Headers.Version + 1);
    }

    /// <summary>
    /// A value parsed from the header fields and the version of the fields it was parsed from, plus one (0: none yet).
    /// Kept inside the message rather than as an object of its own: that was six allocations per request.
    /// The value is written before the version and read after it, so whoever sees a version sees its value;
    /// two readers parsing at once store equal values for the same version (fields never change under a reader).
    /// </summary>
    private struct Parsed<T>
    {
        public T Value;
        public int VersionPlusOne;
    }

    public IReadOnlyList<Via> Vias
    {
        get
        {
            var list = new List<Via>();
            foreach (var v in Headers.GetValues(SipHeaderNames.Via))
                if (Via.TryParse(v, out var via, out _)) list.Add(via);
            return list;
        }
    }

    public IReadOnlyList<SipContact> Contacts
    {
        get
        {
            var parsed = ContactValues;
            var list = new List<SipContact>(parsed.Count);
            foreach (var c in parsed) list.Add(c.Copy());
            return list;
        }
    }

    private NameAddress? ParseAddress(string name) =>
        Headers.Get(name) is { } v && NameAddress.TryParse(v, out var a, out _) ? a : null;

    /// <summary>The body as text (UTF-8), for SDP and other textual bodies.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    public void SetBody(string contentType, string text)
    {
        Headers.Set(SipHeaderNames.ContentType, contentType);
        Body = Encoding.UTF8.GetBytes(text);
    }

    private protected abstract void WriteStartLine(IBufferWriter<byte> writer);

    /// <summary>Writes the message; Content-Length always states the body's true length.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        WriteStartLine(writer);
        writer.Write("\r\n"u8);
        foreach (var h in Headers)
        {
            if (string.Equals(h.Name, SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)) continue;
            Write(writer, h.Name);
            writer.Write(": "u8);
            Write(writer, h.Value);
            writer.Write("\r\n"u8);
        }
        writer.Write("Content-Length: "u8);
        Write(writer, Body.Length);
        writer.Write("\r\n\r\n"u8);
        if (!Body.IsEmpty) writer.Write(Body.Span);
    }

    // Encodes straight into the output: serializing allocates nothing.
    private protected static void Write(IBufferWriter<byte> writer, ReadOnlySpan<char> text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private protected static void Write(IBufferWriter<byte> writer, int number)
    {
        number.TryFormat(writer.GetSpan(11), out var written, provider: CultureInfo.InvariantCulture);
        writer.Advance(written);
    }

    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes());
}

public sealed class SipRequest : SipMessage
{
    public SipRequest(string method, SipUri uri)
    {
        Method = method;
        Uri = uri;
    }

    /// <summary>The method as sent; methods are case-sensitive (RFC 3261 7.1).</summary>
    public string Method { get; set; }
    public SipUri Uri { get; set; }

    private protected override void WriteStartLine(IBufferWriter<byte> writer)
    {
        Write(writer, Method);
        writer.Write(" "u8);
        var uri = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        Uri.AppendTo(ref uri);
        Write(writer, uri.Text);
        uri.Clear();
        writer.Write(" "u8);
        Write(writer, Version);
    }
}

public sealed class SipResponse : SipMessage
{
    public SipResponse(int statusCode, string reasonPhrase)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    public int StatusCode { get; set; }
    public string ReasonPhrase { get; set; }

    public bool IsProvisional => StatusCode < 200;
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    private protected override void WriteStartLine(IBufferWriter<byte> writer)
    {
        Write(writer, Version);
        writer.Write(" "u8);
        Write(writer, StatusCode);
        writer.Write(" "u8);
        Write(writer, ReasonPhrase);
    }

    /// <summary>
    /// A response to a request as RFC 3261 8.2.6.2 builds it: Via, From, To, Call-ID and CSeq copied,
    /// and a To tag added when the request had none (except for 100 Trying).
    /// Copies the raw header text, so it also works for a request that failed validation.
    /// </summary>
    public static SipResponse CreateFor(SipRequest request, int statusCode, string reasonPhrase, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reasonPhrase);
        var copied = 0;
        foreach (var h in request.Headers)
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.From or SipHeaderNames.To or SipHeaderNames.CallId or SipHeaderNames.CSeq) copied++;
        response.Headers.Reserve(copied + 4); // and what the answer usually adds: Contact, Date, a challenge...
        foreach (var h in request.Headers)
        {
            if (h.Name is SipHeaderNames.Via or SipHeaderNames.From or SipHeaderNames.CallId or SipHeaderNames.CSeq)
                response.Headers.AddCanonical(h.Name, h.Value);
            else if (h.Name is SipHeaderNames.To && !response.Headers.Contains(SipHeaderNames.To))
            {
                // Parameters after an addr-spec or a name-addr are the header's (RFC 3261 20.10), so the tag is
                // appended to the field as received, without rebuilding it.
                var to = h.Value;
                if (statusCode > 100 && toTag is not null && request.ToAddress is { Tag: null }) to = string.Concat(to, ";tag=", toTag);
                response.Headers.AddCanonical(h.Name, to);
            }
        }
        return response;
    }
}
