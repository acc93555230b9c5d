namespace Yunke.Sip.Digest;

/// <summary>An Authorization or Proxy-Authorization Digest response (RFC 2617 3.2.2, RFC 3261 22.4).</summary>
public sealed record DigestCredentials(string Username, string Realm, string Nonce, string Uri, string Response)
{
    public string? Algorithm { get; init; }
    public string? Opaque { get; init; }
    public string? Qop { get; init; }
    public string? Cnonce { get; init; }
    /// <summary>The nc value as sent: eight hex digits.</summary>
    public string? NonceCount { get; init; }

    public static bool TryParse(string headerValue, out DigestCredentials credentials, out string? error)
    {
        credentials = null!;
        if (!DigestParameters.TryParse(headerValue, out var p, out error)) return false;
        foreach (var required in (ReadOnlySpan<string>)["username", "realm", "nonce", "uri", "response"])
            if (!p.ContainsKey(required)) { error = $"credentials lack {required}"; return false; }
        credentials = new DigestCredentials(p["username"], p["realm"], p["nonce"], p["uri"], p["response"])
        {
            Algorithm = p.GetValueOrDefault("algorithm"),
            Opaque = p.GetValueOrDefault("opaque"),
            Qop = p.GetValueOrDefault("qop"),
            Cnonce = p.GetValueOrDefault("cnonce"),
            NonceCount = p.GetValueOrDefault("nc"),
        };
        return true;
    }

    public override string ToString()
    {
        var text = new DigestParameterWriter(stackalloc char[512]);
        text.Quoted("username", Username);
        text.Quoted("realm", Realm);
        text.Quoted("nonce", Nonce);
        text.Quoted("uri", Uri);
        text.Quoted("response", Response);
        text.Token("algorithm", Algorithm);
        text.Quoted("cnonce", Cnonce);
        text.Quoted("opaque", Opaque);
        text.Token("qop", Qop);
        text.Token("nc", NonceCount);
        return text.ToString();
    }
}
