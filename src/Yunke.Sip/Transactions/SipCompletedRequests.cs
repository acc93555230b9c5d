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
/// walked by each full collection. So nothing here is an object per answer: answers are appended to segments (an
/// array of entry structs and one of bytes, a few thousand answers each), and the index maps a 128-bit hash of the
/// transaction's key (under a seed of this process's own, so no stranger can aim for a collision) to a segment and
/// a slot. Every answer lingers equally long, so the oldest is always the first to expire: a segment whose answers
/// all expired is reused for new ones. Nothing is ever copied to grow (a copy of hundreds of megabytes under the
/// lock stalled every receive thread when the load rose).
/// </para>
/// </summary>
public sealed class SipCompletedRequests(TimeProvider clock, TimeSpan lingering)
{
    private const int SlotBits = 12, SlotsPerSegment = 1 << SlotBits, SegmentBytes = 2 << 20;
    private const int MaxSegments = 512, SpareSegments = 4; // at most 1 GB of answers; past that the oldest go early

    private readonly Lock gate = new();
    private readonly long seed = Random.Shared.NextInt64();
    private readonly Dictionary<UInt128, long> slotOf = []; // segment number << SlotBits | slot
    private readonly List<Segment> segments = []; // the oldest first
    private readonly Stack<Segment> spare = new();
    private long firstSegment; // the number of segments[0]
    private int oldestSlot; // the first answer of segments[0] still kept
    private int count;

    [ThreadStatic] private static ArrayBufferWriter<byte>? output;

    private sealed class Segment
    {
        public readonly Entry[] Entries = new Entry[SlotsPerSegment];
        public readonly byte[] Bytes = GC.AllocateUninitializedArray<byte>(SegmentBytes);
        public int Count, Used;
    }

    private struct Entry
    {
        public UInt128 Key;
        public long Due;
        public int Start, Length;
        public SipFlow? Flow;
    }

    /// <summary>Entries kept, expired ones included until the next answer is kept.</summary>
    public int Count
    {
        get { lock (gate) return count; }
    }

    /// <summary>Sends the final response on <paramref name="flow"/> and keeps it for retransmissions of its request until timer J.</summary>
    public void Complete(SipTransactionKey key, SipResponse response, SipFlow flow)
    {
        var writer = output ??= new ArrayBufferWriter<byte>(2048);
        writer.ResetWrittenCount();
        response.WriteTo(writer);
        var answer = writer.WrittenSpan;
        flow.Send(writer.WrittenMemory);
        if (answer.Length > SegmentBytes) return; // never over UDP
        var hash = Hash(key);
        var now = clock.GetUtcNow().UtcTicks;
        lock (gate)
        {
            Expire(now);
            var segment = Tail(answer.Length);
            var slot = segment.Count++;
            answer.CopyTo(segment.Bytes.AsSpan(segment.Used));
            segment.Entries[slot] = new Entry { Key = hash, Due = now + lingering.Ticks, Start = segment.Used, Length = answer.Length, Flow = flow };
            segment.Used += answer.Length;
            slotOf[hash] = (firstSegment + segments.Count - 1) << SlotBits | (uint)slot;
            count++;
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
            if (!slotOf.TryGetValue(hash, out var found)) return false;
            var segment = segments[(int)((found >> SlotBits) - firstSegment)];
            var entry = segment.Entries[found & (SlotsPerSegment - 1)];
            if (entry.Due <= clock.GetUtcNow().UtcTicks) return false;
            // Sent outside the lock: the other receive threads need not wait for a system call.
            length = entry.Length;
            copy = ArrayPool<byte>.Shared.Rent(length);
            segment.Bytes.AsSpan(entry.Start, length).CopyTo(copy);
            flow = entry.Flow!;
        }
        flow.Send(copy.AsMemory(0, length));
        ArrayPool<byte>.Shared.Return(copy);
        return true;
    }

    /// <summary>The segment the next answer goes to: the newest, or a fresh one when it is full.</summary>
    private Segment Tail(int length)
    {
        if (segments.Count > 0 && segments[^1] is { } last && last.Count < SlotsPerSegment && last.Used + length <= SegmentBytes) return last;
        if (segments.Count == MaxSegments) DropOldestSegment(); // a retransmission of those requests is answered afresh
        var fresh = spare.Count > 0 ? spare.Pop() : new Segment();
        fresh.Count = fresh.Used = 0;
        segments.Add(fresh);
        return fresh;
    }

    private void Expire(long now)
    {
        while (segments.Count > 0)
        {
            var oldest = segments[0];
            if (oldestSlot == oldest.Count)
            {
                if (segments.Count == 1) return;
                DropOldestSegment();
                continue;
            }
            if (oldest.Entries[oldestSlot].Due > now) return;
            Forget(oldest, oldestSlot++);
        }
    }

    private void DropOldestSegment()
    {
        var oldest = segments[0];
        while (oldestSlot < oldest.Count) Forget(oldest, oldestSlot++);
        segments.RemoveAt(0);
        firstSegment++;
        oldestSlot = 0;
        if (spare.Count < SpareSegments) spare.Push(oldest);
    }

    private void Forget(Segment segment, int slot)
    {
        ref var entry = ref segment.Entries[slot];
        // The key may have been answered again since (a request repeated after timer J): only our own index goes.
        if (slotOf.TryGetValue(entry.Key, out var found) && found == (firstSegment << SlotBits | (uint)slot)) slotOf.Remove(entry.Key);
        entry.Flow = null;
        count--;
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
