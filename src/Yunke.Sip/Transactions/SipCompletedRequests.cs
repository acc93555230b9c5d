using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Yunke.Sip.Messages;
using Yunke.Sip.Transports;

namespace Yunke.Sip.Transactions;

/// <summary>
/// The Completed state of non-INVITE server transactions over UDP (RFC 3261 17.2.2), kept as small as it can be.
/// For timer J (64*T1) all such a transaction still does is send its final response again when the request is
/// retransmitted, so all that is kept is its key, the response's bytes and the flow they go on.
/// <para>
/// A registrar answering ten thousand REGISTERs a second keeps several hundred thousand answers. Kept as objects
/// they would all live 32 s: long enough to be promoted through every generation of the garbage collector and be
/// walked by each full collection. So nothing here is an object per answer: the bytes are appended to one ring of
/// bytes, the entries to one ring of structs, and the index maps a 128-bit hash of the transaction's key (under a
/// seed of this process's own, so no stranger can aim for a collision) to an entry's sequence number. Every entry
/// lingers equally long, so the oldest is always the first to expire: the rings are the whole timer.
/// </para>
/// </summary>
public sealed class SipCompletedRequests(TimeProvider clock, TimeSpan lingering)
{
    private const int FirstEntries = 1024, MaxEntries = 1 << 22;
    private const int FirstBytes = 512 * 1024, MaxBytes = 1 << 30;

    private readonly Lock gate = new();
    private readonly long seed = Random.Shared.NextInt64();
    private readonly Dictionary<UInt128, long> sequenceOf = [];
    private Entry[] entries = new Entry[FirstEntries];
    private byte[] bytes = GC.AllocateUninitializedArray<byte>(FirstBytes);
    private long oldest, next; // sequence numbers: entries[oldest..next) are kept
    private long written; // where the next answer's bytes go, counted from the start of the byte ring's current life

    [ThreadStatic] private static ArrayBufferWriter<byte>? output;

    private struct Entry
    {
        public UInt128 Key;
        public long Start, Due;
        public int Length;
        public SipFlow? Flow;
    }

    /// <summary>Entries kept, expired ones included until the next answer is kept.</summary>
    public int Count
    {
        get { lock (gate) return (int)(next - oldest); }
    }

    /// <summary>Sends the final response on <paramref name="flow"/> and keeps it for retransmissions of its request until timer J.</summary>
    public void Complete(SipTransactionKey key, SipResponse response, SipFlow flow)
    {
        var writer = output ??= new ArrayBufferWriter<byte>(2048);
        writer.ResetWrittenCount();
        response.WriteTo(writer);
        var answer = writer.WrittenSpan;
        flow.Send(writer.WrittenMemory);
        var hash = Hash(key);
        var now = clock.GetUtcNow().UtcTicks;
        lock (gate)
        {
            Expire(now);
            var start = MakeRoom(answer.Length);
            answer.CopyTo(bytes.AsSpan((int)(start % bytes.Length), answer.Length));
            ref var entry = ref entries[next & (entries.Length - 1)];
            entry = new Entry { Key = hash, Start = start, Due = now + lingering.Ticks, Length = answer.Length, Flow = flow };
            sequenceOf[hash] = next++;
            written = start + answer.Length;
        }
    }

    /// <summary>When <paramref name="key"/> is a request answered less than timer J ago: sends that answer again and returns true.</summary>
    public bool Repeat(SipTransactionKey key)
    {
        var hash = Hash(key);
        byte[] copy;
        int length;
        SipFlow flow;
        lock (gate)
        {
            if (!sequenceOf.TryGetValue(hash, out var sequence)) return false;
            var entry = entries[sequence & (entries.Length - 1)];
            if (entry.Due <= clock.GetUtcNow().UtcTicks) return false;
            // Sent outside the lock: the other receive threads need not wait for a system call.
            length = entry.Length;
            copy = ArrayPool<byte>.Shared.Rent(length);
            bytes.AsSpan((int)(entry.Start % bytes.Length), length).CopyTo(copy);
            flow = entry.Flow!;
        }
        flow.Send(copy.AsMemory(0, length));
        ArrayPool<byte>.Shared.Return(copy);
        return true;
    }

    private void Expire(long now)
    {
        while (oldest < next && entries[oldest & (entries.Length - 1)].Due <= now) Drop();
    }

    private void Drop()
    {
        ref var entry = ref entries[oldest & (entries.Length - 1)];
        // The key may have been answered again since (a request repeated after timer J): only our own index goes.
        if (sequenceOf.TryGetValue(entry.Key, out var sequence) && sequence == oldest) sequenceOf.Remove(entry.Key);
        entry.Flow = null;
        oldest++;
    }

    /// <summary>Where an answer of <paramref name="length"/> bytes goes, in one piece; grows the rings, or drops the oldest answers early past their limits.</summary>
    private long MakeRoom(int length)
    {
        if (length > MaxBytes / 2) throw new ArgumentOutOfRangeException(nameof(length), "A SIP response this large is never kept.");
        while (true)
        {
            var start = written;
            var offset = (int)(start % bytes.Length);
            if (offset + length > bytes.Length) start += bytes.Length - offset; // an answer is never split at the ring's end
            var inUseFrom = oldest < next ? entries[oldest & (entries.Length - 1)].Start : start;
            var entriesFull = next - oldest == entries.Length;
            var bytesShort = start + length - inUseFrom > bytes.Length;
            if (!entriesFull && !bytesShort) return start;
            var entryCount = entriesFull && entries.Length < MaxEntries ? entries.Length * 2 : entries.Length;
            var byteCount = bytesShort && bytes.Length < MaxBytes ? (int)Math.Min(Math.Max(bytes.Length * 2L, 2L * length), MaxBytes) : bytes.Length;
            if (entryCount != entries.Length || byteCount != bytes.Length) Resize(entryCount, byteCount);
            else Drop(); // past the limits a retransmission of the oldest request is answered afresh instead
        }
    }

    /// <summary>New rings of the given sizes, the kept answers laid out from the start of the byte ring.</summary>
    private void Resize(int entryCount, int byteCount)
    {
        var newEntries = new Entry[entryCount];
        var newBytes = GC.AllocateUninitializedArray<byte>(byteCount);
        long position = 0;
        for (var sequence = oldest; sequence < next; sequence++)
        {
            var entry = entries[sequence & (entries.Length - 1)];
            bytes.AsSpan((int)(entry.Start % bytes.Length), entry.Length).CopyTo(newBytes.AsSpan((int)position));
            entry.Start = position;
            position += entry.Length;
            newEntries[sequence & (newEntries.Length - 1)] = entry;
        }
        entries = newEntries;
        bytes = newBytes;
        written = position;
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
