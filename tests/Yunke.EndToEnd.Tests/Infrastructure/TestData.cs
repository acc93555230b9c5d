namespace Yunke.EndToEnd.Tests.Infrastructure;

public static class TestData
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>A fresh unified social credit code with a correct check character (GB 32100-2015).</summary>
    public static string CreditCode()
    {
        var body = "91110000" + string.Concat(Enumerable.Range(0, 9).Select(_ => Alphabet[Random.Shared.Next(Alphabet.Length)]));
        var sum = body.Select((c, i) => Alphabet.IndexOf(c) * Weights[i]).Sum();
        return body + Alphabet[(31 - sum % 31) % 31];
    }
}
