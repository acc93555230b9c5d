namespace Yunke.Sip.Messages;

/// <summary>One header field as it appeared: canonical name and unfolded value.</summary>
public readonly record struct SipHeader(string Name, string Value);

/// <summary>
/// The header fields of a message, in order, with repeats kept apart as received.
/// Names are compared without regard to case and compact forms are stored under their long name.
/// </summary>
public sealed class SipHeaders : IReadOnlyList<SipHeader>
{
    // Sized on first use: to what the parser or a response about to be built knows it needs (Reserve), else 16.
    private readonly List<SipHeader> items = [];

    public int Count => items.Count;

    /// <summary>Changes with every change to the fields, so what was parsed from them can be cached until then.</summary>
    internal int Version { get; private set; }
    public SipHeader this[int index] => items[index];

    public void Add(string name, string value) => AddCanonical(SipHeaderNames.Canonicalize(name), value);

    internal void AddCanonical(string name, string value)
    {
        Reserve(16);
        items.Add(new(name, value));
        Version++;
    }

    /// <summary>Room for that many fields before the first is added; once fields are there, growing is the list's own.</summary>
    internal void Reserve(int count)
    {
        if (items.Capacity == 0) items.Capacity = count;
    }

    /// <summary>Replaces the value of the field at that position, keeping its name and place.</summary>
    internal void Replace(int index, string value)
    {
        items[index] = items[index] with { Value = value };
        Version++;
    }

    /// <summary>Replaces every field of that name with one (added at the end if there was none).</summary>
    public void Set(string name, string value)
    {
        name = SipHeaderNames.Canonicalize(name);
        var at = items.FindIndex(h => Is(h, name));
        RemoveAll(name);
        Reserve(16);
        if (at < 0 || at > items.Count) items.Add(new(name, value));
        else items.Insert(at, new(name, value));
        Version++;
    }

    public int RemoveAll(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        Version++;
        return items.RemoveAll(h => Is(h, name));
    }

    public bool Contains(string name) => Get(name) is not null;

    /// <summary>The value of the first field with that name, or null.</summary>
    public string? Get(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        foreach (var h in items)
            if (Is(h, name)) return h.Value;
        return null;
    }

    /// <summary>How many fields (lines) carry that name.</summary>
    public int CountOf(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        var n = 0;
        foreach (var h in items)
            if (Is(h, name)) n++;
        return n;
    }

    /// <summary>Every value of a header: repeated fields in order and, for list headers, each comma-separated element.</summary>
    public List<string> GetValues(string name)
    {
        name = SipHeaderNames.Canonicalize(name);
        var list = SipHeaderNames.IsList(name);
        List<string>? values = null;
        foreach (var h in items)
        {
            if (!Is(h, name)) continue;
            values ??= new List<string>(1);
            if (!list) values.Add(h.Value);
            else foreach (var element in SipSyntax.Elements(h.Value)) values.Add(element);
        }
        return values ?? [];
    }

    private static bool Is(SipHeader h, string name) => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The list's own enumerator, not boxed: the parser, validation and serializing walk the fields of every message.</summary>
    public List<SipHeader>.Enumerator GetEnumerator() => items.GetEnumerator();
    IEnumerator<SipHeader> IEnumerable<SipHeader>.GetEnumerator() => GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
