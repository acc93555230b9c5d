using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Yunke.Core.Accounts;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;

namespace Yunke.Core.Tests.Staff;

/// <summary>The rules a tenant sets for its staff: each rule, their bounds, and history, age and lock-out on a real database.</summary>
public sealed class TenantPasswordRulesTests : IAsyncLifetime
{
    private const string Account = "agent.wang";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "yunke-core-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly Guid tenant = Guid.NewGuid();
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        services = new ServiceCollection()
            .AddYunkeDatabase("sqlite", null, dir)
            .AddSingleton<TimeProvider>(clock)
            .AddScoped<IPasswordHasher<Account>, PasswordHasher<Account>>()
            .AddScoped<AccountService>()
            .BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        await db.MigrateAsync();
        db.Add(new Instance { Id = tenant, Name = "test", BillingMode = "payPerUse", Spec = "basic", CreatedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("abcdefg1#", "upper-case")]
    [InlineData("ABCDEFG1#", "lower-case")]
    [InlineData("Abcdefgh#", "digit")]
    [InlineData("Abcdefgh1", "special")]
    [InlineData("Ab1#", "at least 8")]
    public void Each_rule_refuses_when_on_and_lets_through_when_off(string password, string rule)
    {
        PasswordPolicy.Default.Check("zhangsan", password).ShouldContain(m => m.Contains(rule));
        var relaxed = PasswordPolicy.Default with
        {
            MinLength = rule == "at least 8" ? 4 : 8,
            RequireUpper = rule != "upper-case",
            RequireLower = rule != "lower-case",
            RequireDigit = rule != "digit",
            RequireSpecial = rule != "special",
        };
        relaxed.Check("zhangsan", password).ShouldBeEmpty();
    }

    [Fact]
    public void The_account_name_rule_can_be_turned_off()
    {
        PasswordPolicy.Default.Check("Ab1#cdef", "fedc#1bA").ShouldContain(m => m.Contains("account name"));
        (PasswordPolicy.Default with { ForbidAccountOrReverse = false }).Check("Ab1#cdef", "fedc#1bA").ShouldBeEmpty();
    }

    [Fact]
    public void A_longer_minimum_names_its_length() =>
        (PasswordPolicy.Default with { MinLength = 16 }).Check("x", "Abcdef#123456").ShouldContain(m => m.Contains("16"));

    [Fact]
    public void Bounds_refuse_each_field_out_of_range_and_accept_the_defaults()
    {
        var v = new Validation();
        new PasswordPolicy(MinLength: 7, HistoryCount: 25, MaxAgeDays: 3651, LockoutThreshold: 2, LockoutMinutes: 0).Validate(v);
        foreach (var field in new[] { "minLength", "historyCount", "maxAgeDays", "lockoutThreshold", "lockoutMinutes" }) v.Has(field).ShouldBeTrue(field);
        var ok = new Validation();
        PasswordPolicy.Default.Validate(ok);
        (PasswordPolicy.Default with { MinLength = 64, HistoryCount = 0, MaxAgeDays = 0 }).Validate(ok);
        ok.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Maximum_age_counts_whole_days_and_zero_means_never()
    {
        var changed = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var policy = PasswordPolicy.Default with { MaxAgeDays = 30 };
        policy.IsExpired(changed, changed.AddDays(30).AddSeconds(-1)).ShouldBeFalse();
        policy.IsExpired(changed, changed.AddDays(30)).ShouldBeTrue();
        (policy with { MaxAgeDays = 0 }).IsExpired(changed, changed.AddYears(10)).ShouldBeFalse();
    }

    [Fact]
    public async Task History_refuses_the_last_n_passwords_counting_the_current_one()
    {
        await SetRulesAsync(PasswordPolicy.Default with { HistoryCount = 3 });
        var staff = await AddStaffAsync("Pass#Zero2026");
        await ChangeAsync(staff, "Pass#Zero2026", "Pass#One2026");
        await ChangeAsync(staff, "Pass#One2026", "Pass#Two2026");
        // The last three: Two (current), One, Zero.
        foreach (var old in new[] { "Pass#Two2026", "Pass#One2026", "Pass#Zero2026" })
            (await Should.ThrowAsync<YunkeException>(() => ChangeAsync(staff, "Pass#Two2026", old))).Errors.ShouldContainKey("newPassword");
        await ChangeAsync(staff, "Pass#Two2026", "Pass#Three2026");
        await ChangeAsync(staff, "Pass#Three2026", "Pass#Zero2026"); // now four back: allowed again
    }

    [Fact]
    public async Task A_shorter_history_lets_older_passwords_back()
    {
        await SetRulesAsync(PasswordPolicy.Default with { HistoryCount = 1 });
        var staff = await AddStaffAsync("Pass#Zero2026");
        await ChangeAsync(staff, "Pass#Zero2026", "Pass#One2026");
        await ChangeAsync(staff, "Pass#One2026", "Pass#Zero2026");
    }

    [Fact]
    public async Task A_password_older_than_the_maximum_age_must_be_changed_at_sign_in()
    {
        await SetRulesAsync(PasswordPolicy.Default with { MaxAgeDays = 30 });
        var staff = await AddStaffAsync("Pass#Zero2026", mustChange: false);
        clock.Advance(TimeSpan.FromDays(29));
        (await SignInAsync("Pass#Zero2026")).MustChangePassword.ShouldBeFalse();
        clock.Advance(TimeSpan.FromDays(2));
        (await SignInAsync("Pass#Zero2026")).MustChangePassword.ShouldBeTrue();
        (await ChangeAsync(staff, "Pass#Zero2026", "Pass#One2026")).MustChangePassword.ShouldBeFalse();
        (await SignInAsync("Pass#One2026")).MustChangePassword.ShouldBeFalse();
    }

    [Fact]
    public async Task Cloud_accounts_keep_the_default_age_whatever_a_tenant_sets()
    {
        await SetRulesAsync(PasswordPolicy.Default with { MaxAgeDays = 1 });
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        var cloud = new Account { Name = "cloud.one", Kind = AccountKind.Cloud, CreatedAt = clock.GetUtcNow().UtcDateTime };
        (await db.PolicyForAsync(cloud, default)).ShouldBe(PasswordPolicy.Default);
        var staff = new Account { Name = "staff.one", Kind = AccountKind.Staff, TenantId = tenant, CreatedAt = clock.GetUtcNow().UtcDateTime };
        (await db.PolicyForAsync(staff, default)).MaxAgeDays.ShouldBe(1);
    }

    [Fact]
    public async Task The_tenants_threshold_locks_the_account_for_its_minutes()
    {
        await SetRulesAsync(PasswordPolicy.Default with { LockoutThreshold = 3, LockoutMinutes = 10 });
        await AddStaffAsync("Pass#Zero2026", mustChange: false);
        for (var i = 0; i < 3; i++)
            (await Should.ThrowAsync<YunkeException>(() => SignInAsync("Wrong#Pass2026"))).Problem.ShouldBe(Problem.Unauthorized);
        (await Should.ThrowAsync<YunkeException>(() => SignInAsync("Pass#Zero2026"))).Problem.ShouldBe(Problem.Locked);
        clock.Advance(TimeSpan.FromMinutes(10));
        (await SignInAsync("Pass#Zero2026")).Name.ShouldBe(Account);
    }

    private async Task SetRulesAsync(PasswordPolicy policy)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        db.Add(new TenantPasswordRules { TenantId = tenant, Policy = policy });
        await db.SaveChangesAsync();
    }

    private async Task<Actor> AddStaffAsync(string password, bool mustChange = true)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
        var account = new Account { Name = Account, Kind = AccountKind.Staff, TenantId = tenant, Roles = [Roles.Agent], CreatedAt = clock.GetUtcNow().UtcDateTime };
        account.SetNormalizedName();
        scope.ServiceProvider.GetRequiredService<AccountService>().SetPassword(account, password, mustChange);
        db.Add(account);
        await db.SaveChangesAsync();
        return new Actor(account.Id, account.Name, account.Roles, tenant, null);
    }

    private async Task<Account> ChangeAsync(Actor staff, string current, string next)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().ChangePasswordAsync(staff, current, next);
    }

    private async Task<Account> SignInAsync(string password)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().SignInAsync(Account, password, null);
    }
}
