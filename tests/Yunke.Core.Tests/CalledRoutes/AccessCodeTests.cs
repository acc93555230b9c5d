using Yunke.Core.CalledRoutes;

namespace Yunke.Core.Tests.CalledRoutes;

public sealed class AccessCodeTests
{
    [Theory]
    [InlineData("01088886666", true)]
    [InlineData("+861088886666", true)]
    [InlineData("01088886666123456", true)]
    [InlineData("1234", false)]
    [InlineData("0108888666a", false)]
    [InlineData("010-88886666", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Access_codes_are_digits_with_an_optional_plus(string? code, bool ok) => AccessCodes.IsWellFormed(code).ShouldBe(ok);

    [Fact]
    public void A_code_splits_into_the_number_and_its_extension()
    {
        AccessCodes.Split("01088886666", ["01088886666"]).ShouldBe(("01088886666", ""));
        AccessCodes.Split("0108888666612", ["01088886666"]).ShouldBe(("01088886666", "12"));
        AccessCodes.Split("+8610888866661", ["+861088886666"]).ShouldBe(("+861088886666", "1"));
    }

    [Fact]
    public void The_longest_number_wins_when_one_number_begins_another()
    {
        AccessCodes.Split("0108888666612", ["01088886666", "010888866661"]).ShouldBe(("010888866661", "2"));
    }

    [Fact]
    public void A_code_that_begins_with_none_of_the_numbers_does_not_split()
    {
        AccessCodes.Split("02088886666", ["01088886666"]).ShouldBeNull();
        AccessCodes.Split("0108888", ["01088886666"]).ShouldBeNull();
    }

    [Fact]
    public void Extensions_are_at_most_six_digits()
    {
        AccessCodes.Split("01088886666" + "123456", ["01088886666"]).ShouldBe(("01088886666", "123456"));
        AccessCodes.Split("01088886666" + "1234567", ["01088886666"]).ShouldBeNull();
    }

    [Fact]
    public void Candidates_are_the_leading_parts_longest_first_never_shorter_than_a_number()
    {
        AccessCodes.CandidateNumbers("0108888666612").ShouldBe(["0108888666612", "010888866661", "01088886666", "0108888666", "010888866", "01088886", "0108888"]);
        AccessCodes.CandidateNumbers("123456").ShouldBe(["123456", "12345"]);
        AccessCodes.CandidateNumbers("+123456").ShouldBe(["+123456", "+12345"]);
    }
}
