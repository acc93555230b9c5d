namespace Yunke.Core.Verification;

/// <summary>
/// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
/// 31-character alphabet without I, O, S, V and Z, the last one a check character over the first 17.
/// </summary>
public static class CreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Why the code is not valid, or null when it is.</summary>
    public static string? Problem(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return "The unified social credit code is required.";
        code = code.Trim().ToUpperInvariant();
        if (code.Length != 18) return "The unified social credit code must have exactly 18 characters.";
        foreach (var c in code)
            if (Alphabet.IndexOf(c) < 0) return $"The unified social credit code cannot contain '{c}'.";
        return CheckCharacter(code.AsSpan(0, 17)) == code[17] ? null : "The check character of the unified social credit code is wrong.";
    }

    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += Alphabet.IndexOf(first17[i]) * Weights[i];
        return Alphabet[(31 - sum % 31) % 31];
    }

    public static string Normalize(string code) => code.Trim().ToUpperInvariant();
}
