using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Yunke.Core.Accounts;

namespace Yunke.Server.Auth;

/// <summary>
/// Issues the API's bearer tokens, signed with a key kept in the data folder so that tokens
/// survive a restart. The security stamp inside lets a password change or freeze end old tokens.
/// </summary>
public sealed class TokenIssuer
{
    public const string Issuer = "yunke";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public TokenIssuer(string dataDir)
    {
        var keyFile = Path.Combine(dataDir, "keys", "token-signing.key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        if (!File.Exists(keyFile))
        {
            File.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(64));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        SigningKey = new SymmetricSecurityKey(File.ReadAllBytes(keyFile));
    }

    public SymmetricSecurityKey SigningKey { get; }

    public string Issue(Account account, DateTime now)
    {
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            Subject = new ClaimsIdentity(YunkeClaims.For(account)),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }
}
