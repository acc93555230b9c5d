using Yunke.Core.Accounts;

namespace Yunke.Core.Tests.Accounts;

public class PasswordPolicyTests
{
    private static readonly PasswordPolicy Rules = PasswordPolicy.Default;

    [Fact]
    public void A_password_meeting_every_seed_rule_passes() => Rules.Check("zhangsan", "Yk#2026abc").ShouldBeEmpty();

    [Theory]
    [InlineData("Ab1#xyz", "at least 8")]
    [InlineData("abcdefg1#", "upper-case")]
    [InlineData("ABCDEFG1#", "lower-case")]
    [InlineData("Abcdefgh#", "digit")]
    [InlineData("Abcdefgh1", "special")]
    public void Each_broken_rule_is_named(string password, string expected) =>
        Rules.Check("zhangsan", password).ShouldContain(m => m.Contains(expected));

    [Theory]
    [InlineData("Li#Si2026x", "li#si2026X")]
    [InlineData("Li#Si2026x", "x6202iS#iL")]
    public void The_account_name_or_its_reverse_is_refused_in_any_case(string account, string password) =>
        Rules.Check(account, password).ShouldContain(m => m.Contains("account name"));

    [Fact]
    public void Relaxed_rules_accept_what_the_defaults_refuse() =>
        new PasswordPolicy(MinLength: 4, RequireUpper: false, RequireSpecial: false).Check("a", "abc1").ShouldBeEmpty();

    [Fact]
    public void Generated_one_time_passwords_meet_the_defaults()
    {
        for (var i = 0; i < 200; i++) Rules.Check("tenant-admin", OneTimePassword.Generate()).ShouldBeEmpty();
    }
}
