using Yunke.Core.Numbers;

namespace Yunke.Core.Tests.Numbers;

public sealed class NumberFormatTests
{
    [Theory]
    [InlineData("12345")]
    [InlineData("+8602112345678")]
    [InlineData("4008123123")]
    [InlineData("12345678901234567890")]
    public void Digits_with_an_optional_plus_are_numbers(string number) => PhoneNumber.IsWellFormed(number).ShouldBeTrue();

    [Theory]
    [InlineData("1234")]
    [InlineData("123456789012345678901")]
    [InlineData("021-1234567")]
    [InlineData("++12345")]
    [InlineData("12345+")]
    [InlineData("0211234567a")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not(string? number) => PhoneNumber.IsWellFormed(number).ShouldBeFalse();

    [Fact]
    public void Only_purchased_or_docked_own_numbers_that_are_free_are_orderable()
    {
        new PhoneNumber { Number = "10001", Kind = NumberKind.Purchased, Status = NumberStatus.Available }.IsOrderable.ShouldBeTrue();
        new PhoneNumber { Number = "10001", Kind = NumberKind.Own, Status = NumberStatus.Pending, DockingStatus = DockingStatus.Docking }.IsOrderable.ShouldBeFalse();
        new PhoneNumber { Number = "10001", Kind = NumberKind.Own, Status = NumberStatus.Available, DockingStatus = DockingStatus.Completed }.IsOrderable.ShouldBeTrue();
        new PhoneNumber { Number = "10001", Kind = NumberKind.Purchased, Status = NumberStatus.InUse, InstanceId = Guid.NewGuid() }.IsOrderable.ShouldBeFalse();
        new PhoneNumber { Number = "10001", Kind = NumberKind.Experience, Status = NumberStatus.Available }.IsOrderable.ShouldBeFalse();
    }
}
