using Microsoft.Extensions.Time.Testing;
using Yunke.Core.Common;

namespace Yunke.Core.Tests.Common;

public sealed class ShortCacheTests
{
    private readonly FakeTimeProvider clock = new();

    [Fact]
    public void An_entry_lives_at_least_half_its_time_and_never_longer()
    {
        var cache = new ShortCache<string, int>(clock, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 50; i++) cache.Set($"k{i}", i);

        clock.Advance(TimeSpan.FromSeconds(29));
        Enumerable.Range(0, 50).Count(i => cache.TryGet($"k{i}", out _)).ShouldBe(50);
        // Midway through the second half each entry is gone with even odds: all 50 one way is a 1 in 10^15 chance.
        // (At 59 s, where each lives on with odds of 1 in 30, none left was an 18 % chance: a flaky test.)
        clock.Advance(TimeSpan.FromSeconds(16));
        var left = Enumerable.Range(0, 50).Count(i => cache.TryGet($"k{i}", out _));
        left.ShouldBeInRange(1, 49); // spread out: neither all gone nor all kept in the second half
        clock.Advance(TimeSpan.FromSeconds(16));
        Enumerable.Range(0, 50).Count(i => cache.TryGet($"k{i}", out _)).ShouldBe(0);
    }

    [Fact]
    public void Forget_and_clear_drop_entries_at_once()
    {
        var cache = new ShortCache<(Guid, string), string>(clock, TimeSpan.FromMinutes(1));
        var tenant = Guid.NewGuid();
        cache.Set((tenant, "1001"), "a");
        cache.Set((tenant, "1002"), "b");

        cache.Forget((tenant, "1001"));
        cache.TryGet((tenant, "1001"), out _).ShouldBeFalse();
        cache.TryGet((tenant, "1002"), out var kept).ShouldBeTrue();
        kept.ShouldBe("b");

        cache.Clear();
        cache.TryGet((tenant, "1002"), out _).ShouldBeFalse();
    }

    [Fact]
    public void A_full_cache_starts_afresh_instead_of_growing()
    {
        var cache = new ShortCache<int, int>(clock, TimeSpan.FromMinutes(1), maxEntries: 10);
        for (var i = 0; i < 10; i++) cache.Set(i, i);
        cache.Set(10, 10);

        cache.TryGet(0, out _).ShouldBeFalse();
        cache.TryGet(10, out var value).ShouldBeTrue();
        value.ShouldBe(10);
    }
}
