using Microsoft.Extensions.Time.Testing;
using Yunke.Media.Sessions;

namespace Yunke.Media.Tests.Sessions;

public sealed class RtcpSchedulerTests
{
    [Fact]
    public void Each_session_reports_on_its_own_interval_from_one_timer_and_not_after_removal()
    {
        var time = new FakeTimeProvider();
        var scheduler = RtcpScheduler.For(time);
        RtcpScheduler.For(time).ShouldBeSameAs(scheduler);
        int a = 0, b = 0;
        var first = scheduler.Add(TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(5), () => a++);
        using var second = scheduler.Add(TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(5), () => b++);

        time.Advance(TimeSpan.FromSeconds(2.4));
        (a, b).ShouldBe((0, 0));
        time.Advance(TimeSpan.FromSeconds(0.2));   // 2.6 s: a is due at 2.5, sent on the next 100 ms tick
        (a, b).ShouldBe((1, 0));
        for (var i = 0; i < 50; i++) time.Advance(TimeSpan.FromMilliseconds(100));   // 7.6 s
        (a, b).ShouldBe((2, 1));

        first.Dispose();
        for (var i = 0; i < 100; i++) time.Advance(TimeSpan.FromMilliseconds(100));  // 17.6 s
        (a, b).ShouldBe((2, 3));
    }
}
