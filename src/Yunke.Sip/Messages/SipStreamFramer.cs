using System.Buffers;

namespace Yunke.Sip.Messages;

public enum SipFrameStatus
{
    /// <summary>Not a whole message yet: read more and call again.</summary>
    NeedMoreData,
    /// <summary>A whole message was cut out.</summary>
    Message,
    /// <summary>The stream cannot be framed (no or bad Content-Length, or over the size limits):
    /// there is no way to find the next message, so the connection should be closed.</summary>
    Error,
}

/// <summary>
/// Cuts SIP messages out of a byte stream (TCP, TLS): each one is a header section ended by an empty
/// line and a body of exactly Content-Length octets, which a stream must carry (RFC 3261 18.3).
/// CRLFs between messages are keep-alives (RFC 5626 4.4.1) and are skipped; a double CRLF "ping" is
/// reported through <see cref="PingsReceived"/> so the transport can answer with a single CRLF "pong".
/// Limits keep one peer from making us buffer without end.
/// </summary>
public sealed class SipStreamFramer(int maxHeaderBytes = 16 * 1024, int maxBodyBytes = 64 * 1024)
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    public int MaxHeaderBytes { get; } = maxHeaderBytes;
    public int MaxBodyBytes { get; } = maxBodyBytes;

    /// <summary>Double-CRLF keep-alive pings seen so far.</summary>
    public int PingsReceived { get; private set; }

    /// <summary>Why the stream could not be framed, when <see cref="SipFrameStatus.Error"/> was returned.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Takes the next message from the front of <paramref name="buffer"/>, advancing it past what was
    /// consumed (keep-alive CRLFs too). The message slice refers to the same memory as the buffer.
    /// </summary>
    public SipFrameStatus TryReadMessage(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        message = default;
        var reader = new SequenceReader<byte>(buffer);
        var crlfs = 0;
        while (reader.IsNext("\r\n"u8, advancePast: true)) crlfs++;
        PingsReceived += crlfs / 2;
        buffer = buffer.Slice(reader.Position);
        if (buffer.IsEmpty || (buffer.Length == 1 && buffer.FirstSpan[0] == '\r')) return SipFrameStatus.NeedMoreData;

        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeaderEnd, advancePastDelimiter: true))
        {
            if (buffer.Length > MaxHeaderBytes) return Fail("Header section too large");
            return SipFrameStatus.NeedMoreData;
        }
        if (head.Length > MaxHeaderBytes) return Fail("Header section too large");

        var contentLength = FindContentLength(head);
        if (contentLength is null) return Fail(Error ?? "Missing Content-Length");
        if (contentLength > MaxBodyBytes) return Fail("Body too large");

        var total = head.Length + 4 + contentLength.Value;
        if (buffer.Length < total) return SipFrameStatus.NeedMoreData;
        message = buffer.Slice(0, total);
        buffer = buffer.Slice(total);
        return SipFrameStatus.Message;
    }

    private SipFrameStatus Fail(string reason)
    {
        Error = reason;
        return SipFrameStatus.Error;
    }

    private int? FindContentLength(in ReadOnlySequence<byte> head)
    {
        var length = (int)head.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            head.CopyTo(rented);
            int? found = null;
            foreach (var range in new LineSplitter(rented.AsSpan(0, length)))
            {
                var line = rented.AsSpan(range);
                var colon = line.IndexOf((byte)':');
                if (colon <= 0) continue;
                var name = line[..colon].TrimEnd(" \t"u8);
                if (!(name.Length == 1 && (name[0] | 0x20) == 'l') && !System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8)) continue;
                if (found is not null) { Error = "Multiple Content-Length headers"; return null; }
                var value = line[(colon + 1)..].Trim(" \t"u8);
                if (!System.Buffers.Text.Utf8Parser.TryParse(value, out int n, out var used) || used != value.Length || n < 0)
                {
                    Error = "Invalid Content-Length";
                    return null;
                }
                found = n;
            }
            return found;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Header lines, ignoring folding (a folded line never starts with a header name).
    private ref struct LineSplitter(ReadOnlySpan<byte> text)
    {
        private readonly ReadOnlySpan<byte> text = text;
        private int next;

        public Range Current { get; private set; }

        public readonly LineSplitter GetEnumerator() => this;

        public bool MoveNext()
        {
            if (next > text.Length) return false;
            var end = text[next..].IndexOf("\r\n"u8);
            var stop = end < 0 ? text.Length : next + end;
            Current = next..stop;
            next = stop + 2;
            return true;
        }
    }
}
