using Yunke.Core.Instances;

namespace Yunke.Core.Tests.Instances;

public sealed class InstanceTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static Instance Make(bool trial, DateTime? expires, InstanceStatus status = InstanceStatus.Active) => new()
    {
        Name = "x", BillingMode = "prepaid", Spec = "basic", IsTrial = trial, ExpiresAt = expires, Status = status,
    };

    [Fact]
    public void A_trial_is_usable_until_it_expires()
    {
        Make(trial: true, Now.AddDays(1)).IsUsableAt(Now).ShouldBeTrue();
        Make(trial: true, Now).IsUsableAt(Now).ShouldBeFalse();
        Make(trial: true, Now.AddDays(-1)).IsUsableAt(Now).ShouldBeFalse();
    }

    [Fact]
    public void An_ended_instance_is_never_usable_and_a_paid_one_outlives_its_period_until_someone_ends_it()
    {
        Make(trial: false, Now.AddDays(1), InstanceStatus.Ended).IsUsableAt(Now).ShouldBeFalse();
        Make(trial: false, Now.AddDays(-1)).IsUsableAt(Now).ShouldBeTrue();
    }
}
