using Yunke.Sip.Messages;

namespace Yunke.Sip.Transactions;

/// <summary>
/// What identifies a transaction, for matching messages to it (RFC 3261 17.1.3 and 17.2.3):
/// the top Via branch, the sent-by (server side only) and the method, where an ACK for a failure
/// belongs to its INVITE and a CANCEL has transactions of its own.
/// </summary>
public readonly record struct SipTransactionKey(string Branch, string SentBy, string Method)
{
    /// <summary>The key of the server transaction an incoming request belongs to; null for an RFC 2543
    /// request without the magic cookie, which this stack does not match (it answers it statelessly).</summary>
    public static SipTransactionKey? ForServer(SipRequest request)
    {
        var via = request.TopVia;
        if (via?.Branch is not { } branch || !branch.StartsWith(Via.MagicCookie, StringComparison.Ordinal)) return null;
        var method = request.Method == "ACK" ? "INVITE" : request.Method;
        return new SipTransactionKey(branch, SentByOf(via), method);
    }

    /// <summary>The key of the client transaction a response belongs to.</summary>
    public static SipTransactionKey? ForClient(SipMessage message)
    {
        var via = message.TopVia;
        if (via?.Branch is not { } branch || message.CSeq is not { } cseq) return null;
        var method = cseq.Method == "ACK" ? "INVITE" : cseq.Method;
        return new SipTransactionKey(branch, "", method);
    }

    private static string SentByOf(Via via) => via.Port is { } port ? $"{via.Host.ToLowerInvariant()}:{port}" : via.Host.ToLowerInvariant();
}
