using System.Globalization;
using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Yunke.Core;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.Commercial;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Numbers;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;
using Yunke.Core.Verification;
using Yunke.Server.Auth;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Console;

/// <summary>
/// A bunit context for console pages: the real Core services on a fresh SQLite file, MudBlazor,
/// the console's resources (in the culture asked for) and a signed-in account.
/// </summary>
public sealed class ConsoleContext : BunitContext
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "yunke-console-tests", Guid.NewGuid().ToString("N"));
    private readonly CultureInfo previousCulture = CultureInfo.CurrentUICulture;
    private readonly Bunit.TestDoubles.BunitAuthorizationContext auth;

    /// <param name="clock">A clock the test moves itself (timers such as the end of a rest); the real one if null.</param>
    public ConsoleContext(string culture = "en", TimeProvider? clock = null)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        Services.AddYunkeDatabase("sqlite", null, dataDir);
        Services.AddYunkeCore();
        if (clock is not null) Services.AddSingleton(clock);
        Services.AddLocalization();
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        auth = AddAuthorization(); // registers services: before the provider is first used below
        using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateScope();
        scope.ServiceProvider.GetRequiredService<YunkeDb>().MigrateAsync().GetAwaiter().GetResult();
    }

    /// <summary>Runs something against the Core services in a scope of its own, as a page does.</summary>
    public async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> call) where TService : notnull
    {
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Signs the account in for the pages rendered next.</summary>
    public Actor SignIn(Account account)
    {
        auth.SetAuthorized(account.Name);
        auth.SetRoles([.. account.Roles]);
        auth.SetClaims([.. YunkeClaims.For(account)]);
        return new Actor(account.Id, account.Name, account.Roles, account.TenantId, null);
    }

    /// <summary>
    /// A cloud account at step 5 of seed chapter 3: verified, service opened, with one docked own
    /// number; signed in. Answers the actor and the number.
    /// </summary>
    public async Task<(Actor Actor, string Number)> CommercialAccountWithNumberAsync()
    {
        var name = $"wiz{Guid.NewGuid():N}"[..16];
        var account = await WithAsync<AccountService, Account>(s =>
            s.SignUpAsync(new AccountService.SignUp(name, "Wizard#Pass2026", $"{name}@example.cn", "13800138000"), null));
        var actor = new Actor(account.Id, account.Name, account.Roles, null, null);
        var application = await WithAsync<VerificationService, EnterpriseVerification>(s =>
            s.ApplyAsync(actor, new VerificationService.Apply("向导测试有限公司", Onboarding.NewCreditCode(), "张三")));
        await WithAsync<VerificationService, EnterpriseVerification>(s => s.ApproveAsync(Actor.System, application.Id));
        await WithAsync<CommercialUseService, Account>(s => s.OpenAsync(actor, new CommercialUseService.OpenInput(true, true)));
        var number = $"0592{Random.Shared.Next(1_000_000, 9_999_999)}";
        var own = await WithAsync<NumberService, NumberService.NumberView>(s => s.DockOwnAsync(actor, new NumberService.OwnNumberInput(number, "中国电信")));
        await WithAsync<NumberService, NumberService.NumberView>(s => s.CompleteDockingAsync(Actor.System, own.Id));
        var fresh = await WithAsync<AccountService, Account>(s => s.GetAsync(account.Id));
        return (SignIn(fresh), number);
    }

    /// <summary>An instance with 2 voice seats and 1 video seat made by a fresh customer, its tenant admin signed in.</summary>
    public async Task<(Actor Admin, string Number)> TenantAdminAsync()
    {
        var (owner, number) = await CommercialAccountWithNumberAsync();
        var instance = await WithAsync<InstanceService, InstanceService.InstanceView>(s => s.CreateAsync(owner,
            new InstanceService.InstanceInput("配置中心", [number], "prepaid", "basic", new Seats(2, 1, 0), 1, true, true)));
        var admin = await WithAsync<YunkeDb, Account>(db => db.Set<Account>().SingleAsync(a => a.Name == instance.TenantAdmin.Account));
        return (SignIn(admin), number);
    }

    /// <summary>An agent-role employee the tenant admin created and bound to the agent ID; not signed in.</summary>
    public async Task<Account> BoundAgentAsync(Actor admin, string agentId)
    {
        var name = $"agt{Guid.NewGuid():N}"[..14];
        await WithAsync<EmployeeService, EmployeeService.EmployeeView>(s => s.CreateAsync(admin,
            new EmployeeService.EmployeeInput(name, "李四", Gender.Female, null, null, null, "First#Pass2026", [Roles.Agent], null, null)));
        await WithAsync<AgentService, AgentService.AgentView>(s => s.UpdateAsync(admin, agentId, new AgentService.AgentInput(name, null, null, null)));
        return await WithAsync<YunkeDb, Account>(db => db.Set<Account>().SingleAsync(a => a.Name == name));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = previousCulture;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(dataDir, true); } catch (IOException) { }
    }
}
