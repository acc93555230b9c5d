namespace Yunke.Sip.Digest;

/// <summary>A WWW-Authenticate or Proxy-Authenticate Digest challenge (RFC 2617 3.2.1, RFC 3261 22.4).</summary>
public sealed record DigestChallenge(string Realm, string Nonce)
{
    public string? Opaque { get; init; }
    public string Algorithm { get; init; } = "MD5";
    /// <summary>"auth" (or a list such as "auth,auth-int"); null for an RFC 2069 challenge.</summary>
    public string? Qop { get; init; } = "auth";
    /// <summary>The nonce was refused only for its age: retry with the new one without asking the user again.</summary>
    public bool Stale { get; init; }

    public bool OffersQopAuth => Qop?.Split(',').Any(q => q.Trim().Equals("auth", StringComparison.OrdinalIgnoreCase)) == true;

    public static bool TryParse(string headerValue, out DigestChallenge challenge, out string? error)
    {
        challenge = null!;
        if (!DigestParameters.TryParse(headerValue, out var p, out error)) return false;
        if (!p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce)) { error = "challenge needs realm and nonce"; return false; }
        challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = p.GetValueOrDefault("opaque"),
            Algorithm = p.GetValueOrDefault("algorithm") ?? "MD5",
            Qop = p.GetValueOrDefault("qop"),
            Stale = p.TryGetValue("stale", out var stale) && stale.Equals("true", StringComparison.OrdinalIgnoreCase),
        };
        return true;
    }

    public override string ToString()
    {
        var text = new DigestParameterWriter(stackalloc char[256]);
        text.Quoted("realm", Realm);
        text.Quoted("nonce", Nonce);
        text.Quoted("opaque", Opaque);
        text.Token("algorithm", Algorithm);
        text.Quoted("qop", Qop);
        if (Stale) text.Token("stale", "true");
        return text.ToString();
    }
}
