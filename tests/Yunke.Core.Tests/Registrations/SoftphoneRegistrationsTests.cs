using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yunke.Core.Persistence;
using Yunke.Core.Registrations;

namespace Yunke.Core.Tests.Registrations;

/// <summary>The registrar's binding rules (RFC 3261 10.3) on a real SQLite file with a fake clock: expiry, ordering, limits, restart.</summary>
public sealed class SoftphoneRegistrationsTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "yunke-core-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly Guid tenant = Guid.NewGuid();
    private readonly RegistrarPolicy policy = new(MinExpires: 60, MaxExpires: 3600, DefaultExpires: 1800, MaxContacts: 3);
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        services = NewServices();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<YunkeDb>().MigrateAsync();
        await Store.StartAsync(CancellationToken.None);
    }

    private ServiceProvider NewServices() => new ServiceCollection()
        .AddYunkeDatabase("sqlite", null, dir)
        .AddSingleton<TimeProvider>(clock)
        .AddSingleton(policy)
        .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
        .AddSingleton<SoftphoneRegistrations>()
        .BuildServiceProvider();

    private SoftphoneRegistrations Store => services.GetRequiredService<SoftphoneRegistrations>();

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        Directory.Delete(dir, true);
    }

    private RegisterRequest Request(long cseq, string registrar = "r1:5060", string callId = "c1", uint? expires = null, bool wildcard = false,
        params ContactRequest[] contacts) =>
        new(tenant, "1001", registrar, "udp", "192.0.2.1:5060", callId, cseq, contacts, wildcard, expires);

    private static ContactRequest C(string host, uint? expires = null) => new($"sip:1001@{host}", expires);

    [Fact]
    public void Expiry_comes_from_the_contact_then_the_header_then_the_default_and_is_capped()
    {
        var result = Store.Register(Request(1, expires: 120, contacts: [C("a", 600), C("b"), C("c", 99999)]));
        result.Succeeded.ShouldBeTrue();
        var now = clock.GetUtcNow().UtcDateTime;
        result.Bindings.Select(b => b.SecondsLeftAt(now)).ShouldBe([600, 120, 3600]);
        Store.Register(Request(2, contacts: [C("d")])).Outcome.ShouldBe(RegisterOutcome.TooManyContacts);
        Store.Register(Request(3, contacts: [C("a", 0), C("d")])).Bindings.Single(b => b.Contact.EndsWith("@d")).SecondsLeftAt(now).ShouldBe(1800);
    }

    [Fact]
    public void A_refused_register_changes_nothing()
    {
        Store.Register(Request(1, contacts: [C("a", 600)])).Succeeded.ShouldBeTrue();
        Store.Register(Request(2, contacts: [C("a", 0), C("b", 30)])).Outcome.ShouldBe(RegisterOutcome.IntervalTooBrief);
        Store.Register(Request(3, wildcard: true, expires: 60)).Outcome.ShouldBe(RegisterOutcome.InvalidWildcard);
        Store.Register(Request(4, wildcard: true, expires: 0, contacts: [C("b")])).Outcome.ShouldBe(RegisterOutcome.InvalidWildcard);
        Store.Of(tenant, "1001").Single().Contact.ShouldBe("sip:1001@a");
    }

    [Fact]
    public void An_old_request_of_the_same_call_id_is_out_of_order_and_another_call_id_may_replace_it()
    {
        Store.Register(Request(5, contacts: [C("a", 600)])).Succeeded.ShouldBeTrue();
        Store.Register(Request(5, contacts: [C("a", 0)])).Outcome.ShouldBe(RegisterOutcome.OutOfOrder);
        Store.Register(Request(4, wildcard: true, expires: 0)).Outcome.ShouldBe(RegisterOutcome.OutOfOrder);
        Store.Register(Request(1, callId: "c2", contacts: [C("a", 0)])).Succeeded.ShouldBeTrue();
        Store.Of(tenant, "1001").ShouldBeEmpty();
    }

    [Fact]
    public void The_same_contact_at_two_registrars_is_two_bindings_and_one_wildcard_clears_both()
    {
        Store.Register(Request(1, registrar: "r1:5060", contacts: [C("a", 600)])).Succeeded.ShouldBeTrue();
        Store.Register(Request(1, registrar: "r1:5062", callId: "c2", contacts: [C("a", 600)])).Bindings.Count.ShouldBe(2);
        Store.Register(Request(2, registrar: "r1:5062", callId: "c2", contacts: [C("a", 0)])).Bindings.Single().Registrar.ShouldBe("r1:5060");
        Store.Register(Request(3, callId: "c3", wildcard: true, expires: 0)).Bindings.ShouldBeEmpty();
    }

    [Fact]
    public async Task Bindings_expire_are_purged_and_survive_a_restart_until_then()
    {
        Store.Register(Request(1, contacts: [C("short", 60), C("long", 3600)])).Succeeded.ShouldBeTrue();
        await EventuallyInDbAsync(2);

        clock.Advance(TimeSpan.FromSeconds(61));
        Store.Of(tenant, "1001").Single().Contact.ShouldEndWith("@long");
        await EventuallyInDbAsync(1); // the sweep timer fired on the advanced clock

        await services.DisposeAsync(); // a stop saves what is pending
        services = NewServices();
        await Store.StartAsync(CancellationToken.None);
        Store.Of(tenant, "1001").Single().Contact.ShouldEndWith("@long");
        clock.Advance(TimeSpan.FromHours(1));
        Store.Of(tenant, "1001").ShouldBeEmpty();
        Store.Clear(tenant, "1001").ShouldBe(0);
    }

    [Fact]
    public async Task Clearing_removes_every_binding_of_the_agent_only()
    {
        Store.Register(Request(1, contacts: [C("a", 600), C("b", 600)])).Succeeded.ShouldBeTrue();
        Store.Register(Request(1, callId: "x") with { AgentId = "1002", Contacts = [C("c", 600)] }).Succeeded.ShouldBeTrue();
        Store.Clear(tenant, "1001").ShouldBe(2);
        Store.Of(tenant, "1001").ShouldBeEmpty();
        Store.OfTenant(tenant).Keys.ShouldBe(["1002"]);
        await EventuallyInDbAsync(1);
    }

    [Fact]
    public async Task A_quick_refresh_is_not_written_but_a_real_move_or_change_is()
    {
        Store.Register(Request(1, contacts: [C("a", 3600)])).Succeeded.ShouldBeTrue();
        await EventuallyAsync(async () => await SavedExpiryAsync() is not null);
        var first = await SavedExpiryAsync();

        clock.Advance(TimeSpan.FromSeconds(30)); // under a tenth of the hour: the saved expiry may lag
        Store.Register(Request(2, contacts: [C("a", 3600)])).Succeeded.ShouldBeTrue();
        await Task.Delay(300);
        (await SavedExpiryAsync()).ShouldBe(first);

        Store.Register(Request(3, contacts: [C("a", 3600)]) with { Source = "192.0.2.9:5060" }).Succeeded.ShouldBeTrue();
        await EventuallyAsync(async () => await SavedExpiryAsync() != first); // another source is written at once
        var moved = await SavedExpiryAsync();

        clock.Advance(TimeSpan.FromSeconds(400)); // past a tenth: written
        Store.Register(Request(4, contacts: [C("a", 3600)]) with { Source = "192.0.2.9:5060" }).Succeeded.ShouldBeTrue();
        await EventuallyAsync(async () => await SavedExpiryAsync() == moved!.Value.AddSeconds(400));
    }

    private async Task<DateTime?> SavedExpiryAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<YunkeDb>().Set<SoftphoneBinding>().AsNoTracking().SingleOrDefaultAsync())?.ExpiresAt;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++) await Task.Delay(50);
        (await condition()).ShouldBeTrue();
    }

    private async Task EventuallyInDbAsync(int count)
    {
        for (var i = 0; i < 100; i++)
        {
            await using var scope = services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<YunkeDb>().Set<SoftphoneBinding>().CountAsync() == count) return;
            await Task.Delay(50);
        }
        throw new ShouldAssertException($"The database did not come to {count} bindings");
    }
}
