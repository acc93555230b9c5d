using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Yunke.Sip.Messages;
using Yunke.Sip.Transactions;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Endpoints;

/// <summary>
/// Ties transports to the transaction layer (RFC 3261 17): a new request becomes a server transaction
/// and goes to the handler, retransmissions are absorbed by their transaction, responses go to the
/// client transaction that sent the request. What to answer (OPTIONS, REGISTER, unknown methods) is
/// the handler's business: this layer has no policy.
/// </summary>
public sealed class SipEndpoint : IAsyncDisposable
{
    private readonly Func<SipIncomingRequest, Task> handler;
    private readonly TimeProvider clock;
    private readonly SipTimers timers;
    private readonly SipTransportLimits limits;
    private readonly SipTransactionTable transactions = new();
    private readonly SipCompletedRequests completed;
    private readonly List<SipTransport> transports = [];

    /// <param name="handler">
    /// Called for each new request on the thread that received it, as Kamailio's workers do: no hand-off to another
    /// thread (on a busy registrar that hand-off, a wake-up per request, cost more than the registrar's own work). So
    /// it must not block: what waits for I/O, awaits. An exception answers 500 if no final response was sent.
    /// </param>
    public SipEndpoint(Func<SipIncomingRequest, Task> handler, TimeProvider? clock = null, SipTimers? timers = null, SipTransportLimits? limits = null)
    {
        this.handler = handler;
        this.clock = clock ?? TimeProvider.System;
        this.timers = timers ?? SipTimers.Default;
        this.limits = limits ?? SipTransportLimits.Default;
        completed = new SipCompletedRequests(this.clock, this.timers.TransactionTimeout);
    }

    public IReadOnlyList<SipTransport> Transports => transports;

    /// <summary>Live transactions, client and server, with non-INVITE server transactions completed over UDP (timer J).</summary>
    public int TransactionCount => transactions.Count + completed.Count;

    public SipUdpTransport ListenUdp(IPEndPoint local) => Own(SipUdpTransport.Bind(local, Receive, limits));

    public SipTcpTransport ListenTcp(IPEndPoint local) => Own(SipTcpTransport.Listen(local, Receive, limits));

    /// <summary>Serves one accepted WebSocket (RFC 7118) until it closes.</summary>
    public Task RunWebSocketAsync(WebSocket socket, IPEndPoint local, IPEndPoint remote, CancellationToken cancellationToken = default) =>
        new SipWebSocketConnection(socket, local, remote, Receive, limits).RunAsync(cancellationToken);

    private T Own<T>(T transport) where T : SipTransport
    {
        lock (transports) transports.Add(transport);
        return transport;
    }

    /// <summary>The receiver every transport of this endpoint feeds; public so other transports can feed it too.</summary>
    public void Receive(SipInbound inbound)
    {
        if (inbound.Message is SipResponse response)
        {
            // A response no transaction waits for is a stray or a late retransmission: RFC 3261 18.1.2 drops it.
            transactions.DispatchResponse(response);
            return;
        }
        var request = (SipRequest)inbound.Message;
        // The key is taken once: it matches live transactions, completed ones, and names a new one.
        var key = SipTransactionKey.ForServer(request);
        if (key is { } known && (transactions.DispatchRequest(known, request) || completed.Repeat(known))) return;

        SipServerTransaction? transaction = null;
        if (request.Method != "ACK")
        {
            var flow = inbound.Flow;
            transaction = request.Method == "INVITE" ? new InviteServerTransaction(request, flow.IsReliable, m => flow.Send(m), clock, timers)
                : key is { } k && !flow.IsReliable ? new NonInviteServerTransaction(request, false, m => Answer(k, m, flow), clock, timers, lingers: false)
                : new NonInviteServerTransaction(request, flow.IsReliable, m => flow.Send(m), clock, timers);
            // Without a cookie branch there is no key to match retransmissions by: answered statelessly (no table entry).
            if (key is { } added && !transactions.Add(added, transaction)) return; // a racing retransmission
        }
        var incoming = new SipIncomingRequest(inbound, transaction);
        // 100 Trying at once stops the INVITE retransmissions while the core works (RFC 3261 17.2.1).
        if (transaction is InviteServerTransaction) transaction.SendResponse(SipResponse.CreateFor(request, 100, "Trying"));
        _ = HandleAsync(incoming);
    }

    // Over UDP the final response of a non-INVITE request is kept apart from its transaction, for timer J.
    private void Answer(SipTransactionKey key, SipMessage message, SipFlow flow)
    {
        if (message is SipResponse { IsProvisional: false } final) completed.Complete(key, final, flow);
        else flow.Send(message);
    }

    private async Task HandleAsync(SipIncomingRequest incoming)
    {
        try
        {
            await handler(incoming);
        }
        catch (Exception)
        {
            if (incoming.Transaction?.State is SipTransactionState.Trying or SipTransactionState.Proceeding)
                incoming.Respond(500, "Server Internal Error");
        }
    }

    /// <summary>
    /// Sends a request in a client transaction on <paramref name="flow"/> and completes with its final
    /// response: a synthesized 408 when no answer came in time (RFC 3261 8.1.3.1). For INVITE the first
    /// 2xx completes it; acknowledging it is the caller's, with <see cref="Acknowledge"/> (RFC 3261 13.2.2.4).
    /// </summary>
    /// <param name="provisional">Sees each provisional response (a 180 from a ringing phone), on the receive path: it must not block.</param>
    public Task<SipResponse> SendRequestAsync(SipRequest request, SipFlow flow, Action<SipResponse>? provisional = null)
    {
        var done = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        SipClientTransaction transaction = request.Method == "INVITE"
            ? new InviteClientTransaction(request, flow.IsReliable, m => flow.Send(m), clock, timers)
            : new NonInviteClientTransaction(request, flow.IsReliable, m => flow.Send(m), clock, timers);
        transaction.ResponseReceived += (_, response) =>
        {
            if (!response.IsProvisional) done.TrySetResult(response);
            else provisional?.Invoke(response);
        };
        transaction.Terminated += _ => done.TrySetResult(SipResponse.CreateFor(request, 408, "Request Timeout"));
        if (!transactions.Add(transaction)) throw new InvalidOperationException("A transaction with this branch is already live.");
        transaction.Start();
        return done.Task;
    }

    /// <summary>
    /// Sends the ACK for a 2xx to an INVITE sent through <see cref="SendRequestAsync"/> (a new transaction of its own,
    /// RFC 3261 13.2.2.4), and has the INVITE's transaction send it again for each retransmission of that 2xx
    /// during the next 64*T1, as the far end repeats its 2xx until an ACK reaches it.
    /// </summary>
    public void Acknowledge(SipResponse ok, SipRequest ack, SipFlow flow)
    {
        if (transactions.FindClient(ok) is InviteClientTransaction { State: SipTransactionState.Accepted } invite) invite.Acknowledge(ack);
        else flow.Send(ack);
    }

    /// <summary>A random token for branches and tags: unguessable, so strangers cannot forge matches.</summary>
    public static string NewToken()
    {
        // Every response carries a new tag: the random bytes are drawn from the system's generator 64 tokens at a
        // time, since each draw from OpenSSL also checks for a fork and clears its error queue.
        var pool = randomPool ??= new byte[512];
        if (randomTaken == 0 || randomTaken + 8 > pool.Length)
        {
            RandomNumberGenerator.Fill(pool);
            randomTaken = 0;
        }
        var token = Convert.ToHexStringLower(pool, randomTaken, 8);
        pool.AsSpan(randomTaken, 8).Clear(); // used once: nothing left behind to read
        randomTaken += 8;
        return token;
    }

    [ThreadStatic] private static byte[]? randomPool;
    [ThreadStatic] private static int randomTaken;

    /// <summary>A fresh RFC 3261 branch with the magic cookie.</summary>
    public static string NewBranch() => Via.MagicCookie + NewToken();

    public async ValueTask DisposeAsync()
    {
        SipTransport[] owned;
        lock (transports) owned = [.. transports];
        foreach (var transport in owned) await transport.DisposeAsync();
    }
}
