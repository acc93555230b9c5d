using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Yunke.Sip.Messages;

/// <summary>
/// Short strings that recur from message to message: a phone's Allow and User-Agent, the registrar's domain in
/// every Request-URI, To and From, the phone's address in its Via and Contact. Parsing takes them from here
/// instead of making each one again. A fixed table of slots, a new string replacing whatever held its slot: memory
/// stays bounded whatever arrives, and a miss costs a hash and a compare. Strings never change, so a slot read
/// while another thread writes it gives either string, and the content is compared before one is reused.
/// </summary>
internal static class SipStrings
{
    private const int Slots = 2048;
    internal const int MaxLength = 256;
    private static readonly string?[] Table = new string?[Slots];

    public static string Get(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return "";
        if (text.Length > MaxLength) return text.ToString();
        // XxHash3 rather than string hashing: faster on these lengths; strings made to collide only
        // push each other out of one slot, they cannot grow anything.
        ref var slot = ref Table[(int)(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text)) & (Slots - 1))];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && text.SequenceEqual(cached)) return cached;
        var made = text.ToString();
        Volatile.Write(ref slot, made);
        return made;
    }
}
