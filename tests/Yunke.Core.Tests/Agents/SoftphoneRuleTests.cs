using Yunke.Core.Agents;
using Yunke.Core.Common;

namespace Yunke.Core.Tests.Agents;

public sealed class SoftphoneRuleTests
{
    [Fact]
    public void Ha1_is_the_rfc_2617_digest_of_user_realm_and_password()
    {
        // The worked example of RFC 2617 section 3.5.
        Softphones.Ha1("Mufasa", "testrealm@host.com", "Circle Of Life").ShouldBe("939e7578ed9e3c518a452acee763bce9");
    }

    [Fact]
    public void Ha1_depends_on_number_realm_and_password()
    {
        var ha1 = Softphones.Ha1("4829131001", "yunke", "Soft#Phone1");
        ha1.ShouldMatch("^[0-9a-f]{32}$");
        Softphones.Ha1("4829131002", "yunke", "Soft#Phone1").ShouldNotBe(ha1);
        Softphones.Ha1("4829131001", "other", "Soft#Phone1").ShouldNotBe(ha1);
        Softphones.Ha1("4829131001", "yunke", "Soft#Phone2").ShouldNotBe(ha1);
    }

    [Fact]
    public void A_softphone_number_is_the_tenant_prefix_then_the_agent_id()
    {
        Softphones.Number("482913", "1001").ShouldBe("4829131001");
        var prefix = Softphones.NewPrefix();
        prefix.Length.ShouldBe(Softphones.PrefixLength);
        prefix[0].ShouldNotBe('0');
    }

    [Theory]
    [InlineData("Soft#Phone1")]
    [InlineData("abcDEF12")]
    [InlineData("abc-def-123")]
    public void Good_passwords_pass(string password) =>
        Softphones.CheckPassword(new Validation(), "password", password, "4829131001", "1001").IsValid.ShouldBeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Ab1#")]
    [InlineData("Abcdefgh1#Abcdefgh1#Abcdefgh1#xyz")]
    [InlineData("abcdefgh")]
    [InlineData("abcd1234")]
    [InlineData("Abc 12345")]
    [InlineData("Abc中文12345")]
    [InlineData("Pass#1001x")]
    [InlineData("X4829131001y")]
    public void Weak_or_unusable_passwords_are_refused(string? password) =>
        Softphones.CheckPassword(new Validation(), "password", password, "4829131001", "1001").Has("password").ShouldBeTrue();

    [Fact]
    public void Pool_mode_has_two_registrars_single_mode_one()
    {
        var sip = new SipPlatform("10.0.0.5", 5060, 5062);
        sip.Registrars(SoftphoneMode.Single).ShouldBe(["10.0.0.5:5060"]);
        sip.Registrars(SoftphoneMode.Pool).ShouldBe(["10.0.0.5:5060", "10.0.0.5:5062"]);
        sip.Realm.ShouldBe("yunke");
    }
}
