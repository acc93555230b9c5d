using System.Text.Json.Serialization;
using Yunke.Core.Common;

namespace Yunke.Core.Accounts;

/// <summary>
/// Password complexity, history, age and lock-out rules ("账号和密码规则"). The defaults are the
/// seed's: 8 characters or more, upper case, lower case, digit and special character, and never
/// the account name or its reverse. Cloud and operator accounts always use the defaults; each
/// tenant may set its own for its staff (see <c>Staff/PasswordRules</c>).
/// </summary>
public sealed record PasswordPolicy(
    int MinLength = 8,
    bool RequireUpper = true,
    bool RequireLower = true,
    bool RequireDigit = true,
    bool RequireSpecial = true,
    bool ForbidAccountOrReverse = true,
    int HistoryCount = 3,
    int MaxAgeDays = 90,
    int LockoutThreshold = 5,
    int LockoutMinutes = 15)
{
    public const int MaxLength = 128;
    /// <summary>How many earlier password hashes an account keeps, so the longest history rule can be checked.</summary>
    public const int MaxHistoryCount = 24;

    public static PasswordPolicy Default { get; } = new();

    /// <summary>Every rule the password breaks, in words a person can act on; empty when it is fine.</summary>
    public IReadOnlyList<string> Check(string account, string? password)
    {
        var broken = new List<string>();
        if (string.IsNullOrEmpty(password))
        {
            broken.Add("A password is required.");
            return broken;
        }
        if (password.Length < MinLength) broken.Add($"The password must have at least {MinLength} characters.");
        if (password.Length > MaxLength) broken.Add($"The password must have at most {MaxLength} characters.");
        if (RequireUpper && !password.Any(char.IsAsciiLetterUpper)) broken.Add("The password must contain an upper-case letter.");
        if (RequireLower && !password.Any(char.IsAsciiLetterLower)) broken.Add("The password must contain a lower-case letter.");
        if (RequireDigit && !password.Any(char.IsAsciiDigit)) broken.Add("The password must contain a digit.");
        if (RequireSpecial && !password.Any(IsSpecial)) broken.Add("The password must contain a special character.");
        if (ForbidAccountOrReverse && IsAccountOrReverse(account, password))
            broken.Add("The password must not be the account name or the account name reversed.");
        return broken;
    }

    /// <summary>Whether a password set at <paramref name="changedAt"/> is too old at <paramref name="now"/>; 0 days means never.</summary>
    public bool IsExpired(DateTime changedAt, DateTime now) => MaxAgeDays > 0 && changedAt.AddDays(MaxAgeDays) <= now;

    [JsonIgnore]
    public TimeSpan LockoutDuration => TimeSpan.FromMinutes(LockoutMinutes);

    /// <summary>Bounds a tenant admin may choose within, each broken one named by its field.</summary>
    public void Validate(Validation v) => v
        .Check("minLength", MinLength is >= 8 and <= 64, "minLength must be between 8 and 64.")
        .Check("historyCount", HistoryCount is >= 0 and <= MaxHistoryCount, $"historyCount must be between 0 and {MaxHistoryCount}.")
        .Check("maxAgeDays", MaxAgeDays is >= 0 and <= 3650, "maxAgeDays must be between 0 (never expires) and 3650.")
        .Check("lockoutThreshold", LockoutThreshold is >= 3 and <= 20, "lockoutThreshold must be between 3 and 20 failed sign-ins.")
        .Check("lockoutMinutes", LockoutMinutes is >= 1 and <= 1440, "lockoutMinutes must be between 1 and 1440.");

    private static bool IsSpecial(char c) => !char.IsAsciiLetterOrDigit(c) && !char.IsWhiteSpace(c) && !char.IsControl(c);

    private static bool IsAccountOrReverse(string account, string password)
    {
        if (string.IsNullOrEmpty(account)) return false;
        var reversed = new string(account.Reverse().ToArray());
        return password.Equals(account, StringComparison.OrdinalIgnoreCase)
            || password.Equals(reversed, StringComparison.OrdinalIgnoreCase);
    }
}
