namespace Yunke.Core.Accounts;

/// <summary>
/// Password complexity, history and age rules ("账号和密码规则"). The defaults are the seed's:
/// 8 characters or more, upper case, lower case, digit and special character, and never the
/// account name or its reverse.
/// </summary>
public sealed record PasswordPolicy(
    int MinLength = 8,
    bool RequireUpper = true,
    bool RequireLower = true,
    bool RequireDigit = true,
    bool RequireSpecial = true,
    bool ForbidAccountOrReverse = true,
    int HistoryCount = 3,
    int MaxAgeDays = 90)
{
    public const int MaxLength = 128;

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

    private static bool IsSpecial(char c) => !char.IsAsciiLetterOrDigit(c) && !char.IsWhiteSpace(c) && !char.IsControl(c);

    private static bool IsAccountOrReverse(string account, string password)
    {
        if (string.IsNullOrEmpty(account)) return false;
        var reversed = new string(account.Reverse().ToArray());
        return password.Equals(account, StringComparison.OrdinalIgnoreCase)
            || password.Equals(reversed, StringComparison.OrdinalIgnoreCase);
    }
}
