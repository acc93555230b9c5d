using System.Collections.Concurrent;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Transactions;

/// <summary>
/// The live transactions of one stack, so that a received message finds its transaction
/// (RFC 3261 17.1.3, 17.2.3): a response its client transaction, a retransmitted request or an ACK
/// its server transaction. Transactions leave the table by themselves when they terminate.
/// </summary>
public sealed class SipTransactionTable
{
    private readonly ConcurrentDictionary<SipTransactionKey, SipClientTransaction> clients = new();
    private readonly ConcurrentDictionary<SipTransactionKey, SipServerTransaction> servers = new();

    public int Count => clients.Count + servers.Count;

    /// <summary>Adds a client transaction before it is started; false if one with its key is already live.</summary>
    public bool Add(SipClientTransaction transaction) =>
        SipTransactionKey.ForClient(transaction.Request) is { } key && Track(clients, key, transaction);

    /// <summary>Adds a server transaction for a new request; false for an RFC 2543 request or a duplicate key.</summary>
    public bool Add(SipServerTransaction transaction) =>
        SipTransactionKey.ForServer(transaction.Request) is { } key && Add(key, transaction);

    /// <summary>Adds a server transaction under the key its request was already matched by.</summary>
    internal bool Add(SipTransactionKey key, SipServerTransaction transaction) => Track(servers, key, transaction);

    /// <summary>Hands a response to its client transaction; false when none matches (a stray, or a 2xx retransmission after the INVITE transaction ended).</summary>
    public bool DispatchResponse(SipResponse response)
    {
        if (SipTransactionKey.ForClient(response) is not { } key || !clients.TryGetValue(key, out var transaction)) return false;
        transaction.ReceiveResponse(response);
        return true;
    }

    /// <summary>The live client transaction a response belongs to, if any.</summary>
    public SipClientTransaction? FindClient(SipResponse response) =>
        SipTransactionKey.ForClient(response) is { } key && clients.TryGetValue(key, out var transaction) ? transaction : null;

    /// <summary>Hands a request to the server transaction it belongs to; false when it is new (or an ACK for a 2xx, which goes to the dialog).</summary>
    public bool DispatchRequest(SipRequest request) => SipTransactionKey.ForServer(request) is { } key && DispatchRequest(key, request);

    /// <summary><see cref="DispatchRequest(SipRequest)"/> for a request whose key the caller has already taken.</summary>
    internal bool DispatchRequest(SipTransactionKey key, SipRequest request)
    {
        if (!servers.TryGetValue(key, out var transaction)) return false;
        transaction.ReceiveRequest(request);
        return true;
    }

    private static bool Track<T>(ConcurrentDictionary<SipTransactionKey, T> table, SipTransactionKey key, T transaction) where T : SipTransaction
    {
        if (!table.TryAdd(key, transaction)) return false;
        transaction.Terminated += _ => table.TryRemove(new KeyValuePair<SipTransactionKey, T>(key, transaction));
        if (transaction.State == SipTransactionState.Terminated) table.TryRemove(key, out _);
        return true;
    }
}
