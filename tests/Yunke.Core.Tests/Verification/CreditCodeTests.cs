using Yunke.Core.Verification;

namespace Yunke.Core.Tests.Verification;

public class CreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000600037341L")]
    [InlineData("91440300708461136T")]
    [InlineData("91440300708461136t")]
    public void Published_codes_are_valid(string code) => CreditCode.Problem(code).ShouldBeNull();

    [Theory]
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4", "18 characters")]
    [InlineData("91350100M0001O0Y43", "'O'")]
    [InlineData("", "required")]
    public void Bad_codes_say_why(string code, string expected) => CreditCode.Problem(code)!.ShouldContain(expected);

    [Fact]
    public void Every_single_character_change_is_caught()
    {
        const string valid = "91350100M000100Y43";
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        for (var i = 0; i < 17; i++)
            foreach (var c in alphabet.Where(c => c != valid[i]))
                CreditCode.Problem(valid[..i] + c + valid[(i + 1)..]).ShouldNotBeNull();
    }
}
