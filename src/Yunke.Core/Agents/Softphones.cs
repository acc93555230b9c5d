using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Common;

namespace Yunke.Core.Agents;

/// <summary>How the tenant's softphones register: one registrar, or two in pool networking (pool组网).</summary>
public enum SoftphoneMode { Single, Pool }

/// <summary>
/// A tenant's softphone settings. One SIP registrar serves every tenant on one port, so a softphone
/// number must say whose it is: each tenant gets a platform-unique prefix of <see cref="Softphones.PrefixLength"/>
/// digits, and an agent's number is that prefix followed by its agent ID (prefix 482913, agent 1001 →
/// 4829131001). The registrar splits a number at the fixed prefix length.
/// </summary>
public sealed class SoftphoneSettings
{
    public Guid TenantId { get; init; }
    public required string Prefix { get; init; }
    public SoftphoneMode Mode { get; set; }
    /// <summary>The signed-in agent's session authorises its browser phone without the softphone password.</summary>
    public bool UnifiedAuthentication { get; set; }
}

internal sealed class SoftphoneSettingsMap : IEntityTypeConfiguration<SoftphoneSettings>
{
    public void Configure(EntityTypeBuilder<SoftphoneSettings> b)
    {
        b.HasKey(s => s.TenantId);
        b.Property(s => s.Prefix).HasMaxLength(Softphones.PrefixLength);
        b.HasIndex(s => s.Prefix).IsUnique();
        b.Property(s => s.Mode).HasConversion<string>().HasMaxLength(16);
    }
}

/// <summary>The platform's SIP registrars and digest realm (from <c>Yunke:Sip</c>); the same for every tenant.</summary>
public sealed record SipPlatform(string Host, int Port, int PoolPort, string Realm = SipPlatform.DefaultRealm)
{
    public const string DefaultRealm = "yunke";

    public IReadOnlyList<string> Registrars(SoftphoneMode mode) =>
        mode == SoftphoneMode.Pool ? [$"{Host}:{Port}", $"{Host}:{PoolPort}"] : [$"{Host}:{Port}"];
}

/// <summary>The pure rules of softphone numbers and passwords.</summary>
public static class Softphones
{
    public const int PrefixLength = 6;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 32;

    public static string Number(string prefix, string agentId) => prefix + agentId;

    /// <summary>A random prefix that cannot start with 0 (some phones strip leading zeros).</summary>
    public static string NewPrefix() => RandomNumberGenerator.GetInt32(100_000, 1_000_000).ToString();

    /// <summary>The SIP digest HA1 (RFC 2617 / 7616 with MD5): what a registrar needs to check a REGISTER, and all we keep.</summary>
    public static string Ha1(string number, string realm, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{number}:{realm}:{password}")));

    /// <summary>
    /// A softphone password is typed into SIP phones, so printable ASCII without spaces, 8 to 32 characters,
    /// at least three of upper case, lower case, digits and specials, and not containing the number or agent ID.
    /// </summary>
    public static Validation CheckPassword(Validation v, string field, string? password, string number, string agentId)
    {
        if (string.IsNullOrEmpty(password)) return v.Add(field, $"{field} is required.");
        if (password.Length is < MinPasswordLength or > MaxPasswordLength)
            return v.Add(field, $"{field} must be {MinPasswordLength} to {MaxPasswordLength} characters.");
        if (password.Any(c => c is < '!' or > '~'))
            return v.Add(field, $"{field} may contain only printable ASCII characters without spaces.");
        var classes = new[] { password.Any(char.IsAsciiLetterUpper), password.Any(char.IsAsciiLetterLower),
            password.Any(char.IsAsciiDigit), password.Any(c => !char.IsAsciiLetterOrDigit(c)) }.Count(x => x);
        v.Check(field, classes >= 3, $"{field} needs at least three of: upper case, lower case, digits, special characters.");
        v.Check(field, !password.Contains(agentId, StringComparison.Ordinal) && !password.Contains(number, StringComparison.Ordinal),
            $"{field} must not contain the softphone number or the agent ID.");
        return v;
    }
}
