using System.Collections.Frozen;

namespace Yunke.Sip.Messages;

/// <summary>Header names of RFC 3261 and common extensions, and the compact forms that stand for them.</summary>
public static class SipHeaderNames
{
    public const string Accept = "Accept";
    public const string Allow = "Allow";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string Contact = "Contact";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Date = "Date";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string MaxForwards = "Max-Forwards";
    public const string MinExpires = "Min-Expires";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string RecordRoute = "Record-Route";
    public const string Require = "Require";
    public const string Route = "Route";
    public const string Server = "Server";
    public const string Supported = "Supported";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Via = "Via";
    public const string WwwAuthenticate = "WWW-Authenticate";

    private static readonly string[] Known =
    [
        Accept, "Accept-Encoding", "Accept-Language", "Alert-Info", Allow, "Allow-Events", "Authentication-Info",
        Authorization, CallId, "Call-Info", Contact, "Content-Disposition", "Content-Encoding", "Content-Language",
        ContentLength, ContentType, CSeq, Date, "Error-Info", "Event", Expires, From, "Identity", "In-Reply-To",
        MaxForwards, "MIME-Version", MinExpires, "Organization", "Path", "Priority", ProxyAuthenticate,
        ProxyAuthorization, ProxyRequire, "RAck", RecordRoute, "Refer-To", "Referred-By", "Reply-To", Require,
        "Retry-After", Route, "RSeq", Server, "Service-Route", "Session-Expires", "Subject", Supported,
        "Timestamp", To, Unsupported, UserAgent, Via, "Warning", WwwAuthenticate,
    ];

    private static readonly FrozenDictionary<string, string> Canonical = BuildCanonical();

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> CanonicalBySpan =
        Canonical.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Headers whose values are comma-separated lists (RFC 3261 7.3.1); others, such as
    /// WWW-Authenticate or Date, carry commas inside one value.</summary>
    private static readonly FrozenSet<string> Lists = new[]
    {
        Accept, "Accept-Encoding", "Accept-Language", "Alert-Info", Allow, "Allow-Events", "Call-Info", Contact,
        "Content-Encoding", "Content-Language", "Error-Info", "In-Reply-To", "Path", ProxyRequire, RecordRoute,
        Require, Route, "Service-Route", Supported, Unsupported, Via, "Warning",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static FrozenDictionary<string, string> BuildCanonical()
    {
        var map = Known.ToDictionary(n => n, n => n, StringComparer.OrdinalIgnoreCase);
        (string Compact, string Name)[] compact =
        [
            ("i", CallId), ("m", Contact), ("e", "Content-Encoding"), ("l", ContentLength), ("c", ContentType),
            ("f", From), ("s", "Subject"), ("k", Supported), ("t", To), ("v", Via), ("o", "Event"),
            ("u", "Allow-Events"), ("r", "Refer-To"), ("b", "Referred-By"), ("x", "Session-Expires"), ("y", "Identity"),
        ];
        foreach (var (c, name) in compact) map[c] = name;
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The long, conventionally cased name for a known name or compact form; other names as given.</summary>
    public static string Canonicalize(string name) => Canonical.TryGetValue(name, out var c) ? c : name;

    internal static string Canonicalize(ReadOnlySpan<char> name) => name switch
    {
        // The names of nearly every message, as nearly every element writes them: no case-blind lookup for these.
        "Via" => Via,
        "From" => From,
        "To" => To,
        "Call-ID" => CallId,
        "CSeq" => CSeq,
        "Contact" => Contact,
        "Max-Forwards" => MaxForwards,
        "Content-Length" => ContentLength,
        "Content-Type" => ContentType,
        "Expires" => Expires,
        "Allow" => Allow,
        "Supported" => Supported,
        "User-Agent" => UserAgent,
        "Authorization" => Authorization,
        _ => CanonicalBySpan.TryGetValue(name, out var c) ? c : name.ToString(),
    };

    public static bool IsList(string name) => Lists.Contains(name);
}
