using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Transactions;

/// <summary>
/// The Completed state of non-INVITE server transactions over UDP (RFC 3261 17.2.2), kept as small as it can be.
/// For timer J (64*T1) all such a transaction still does is send its final response again when the request is
/// retransmitted, so all that is kept is its key, the response's bytes and the flow they go on. A registrar
/// answering thousands of REGISTERs a second would otherwise keep every transaction of the last 32 s alive, with
/// its parsed messages, timers and delegates: hundreds of thousands of objects for the garbage collector to walk.
/// Here an entry is a dictionary node and the response's bytes: the key is a 128-bit hash of the transaction's key
/// under a seed of this process's own (no stranger can aim for a collision), so no strings stay behind either.
/// </summary>
public sealed class SipCompletedRequests(TimeProvider clock, TimeSpan lingering)
{
    private readonly ConcurrentDictionary<UInt128, Answer> answers = new();
    // Every entry lingers equally long, so the oldest expires first: a queue is the whole timer.
    private readonly ConcurrentQueue<(UInt128 Key, Answer Answer)> byAge = new();
    private readonly Lock sweeping = new();
    private readonly long seed = Random.Shared.NextInt64();

    private readonly record struct Answer(byte[] Response, SipFlow Flow, long Due);

    /// <summary>Entries kept, expired ones included until the next sweep.</summary>
    public int Count => answers.Count;

    /// <summary>Sends the final response on <paramref name="flow"/> and keeps it for retransmissions of its request until timer J.</summary>
    public void Complete(SipTransactionKey key, SipResponse response, SipFlow flow)
    {
        var bytes = response.ToBytes();
        flow.Send(bytes);
        var now = clock.GetUtcNow().UtcTicks;
        var answer = new Answer(bytes, flow, now + lingering.Ticks);
        var hash = Hash(key);
        answers[hash] = answer;
        byAge.Enqueue((hash, answer));
        Sweep(now);
    }

    /// <summary>When <paramref name="key"/> is a request answered less than timer J ago: sends that answer again and returns true.</summary>
    public bool Repeat(SipTransactionKey key)
    {
        if (!answers.TryGetValue(Hash(key), out var answer) || answer.Due <= clock.GetUtcNow().UtcTicks) return false;
        answer.Flow.Send(answer.Response);
        return true;
    }

    private void Sweep(long now)
    {
        // One sweeper at a time, and nobody waits for it: the next Complete sweeps what this one left.
        if (!sweeping.TryEnter()) return;
        try
        {
            while (byAge.TryPeek(out var oldest) && oldest.Answer.Due <= now && byAge.TryDequeue(out oldest))
                answers.TryRemove(new KeyValuePair<UInt128, Answer>(oldest.Key, oldest.Answer));
        }
        finally
        {
            sweeping.Exit();
        }
    }

    private UInt128 Hash(SipTransactionKey key)
    {
        // The three parts with a separator no branch, host or method contains, hashed as one run of UTF-16.
        var length = key.Branch.Length + key.SentBy.Length + key.Method.Length + 2;
        char[]? rented = null;
        var text = length <= 256 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        key.Branch.CopyTo(text);
        text[key.Branch.Length] = ' ';
        key.SentBy.CopyTo(text[(key.Branch.Length + 1)..]);
        text[key.Branch.Length + 1 + key.SentBy.Length] = ' ';
        key.Method.CopyTo(text[(length - key.Method.Length)..]);
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(text), seed);
        if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        return hash;
    }
}
