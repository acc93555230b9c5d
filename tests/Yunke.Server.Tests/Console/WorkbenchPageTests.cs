using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.Time.Testing;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.AgentStates;
using Yunke.Core.Common;
using Yunke.Server.Components.Layout;
using Yunke.Server.Components.Pages.Workbench;

namespace Yunke.Server.Tests.Console;

/// <summary>座席工作台: the agent's state bar on the real services, following changes made elsewhere while it is open.</summary>
public sealed class WorkbenchPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static IElement State(IRenderedComponent<AgentWorkbench> cut) => cut.Find("[data-testid=workbench-state]");

    private static void ShowsState(IRenderedComponent<AgentWorkbench> cut, string state) =>
        cut.WaitForAssertion(() => State(cut).GetAttribute("data-status").ShouldBe(state), Wait);

    [Fact]
    public async Task The_state_bar_moves_the_agent_and_follows_changes_from_the_api_and_the_end_of_a_rest()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var ctx = new ConsoleContext(clock: clock);
        var (admin, _) = await ctx.TenantAdminAsync();
        var account = await ctx.BoundAgentAsync(admin, "1002");
        var agent = ctx.SignIn(account);
        var softphone = await ctx.WithAsync<AgentService, AgentService.AgentView>(s => s.GetAsync(admin, "1002"));

        var cut = ctx.Render<AgentWorkbench>();
        ShowsState(cut, "signedOut");
        cut.Find("[data-testid=workbench-agent-id]").TextContent.ShouldBe("1002");
        cut.Find("[data-testid=workbench-softphone-number]").TextContent.ShouldBe(softphone.SoftphoneNumber);
        cut.Find("[data-testid=workbench-registrars]").TextContent.ShouldBe("127.0.0.1:5060");
        cut.Find("[data-testid=workbench-unified]").GetAttribute("data-status").ShouldBe("off");
        cut.Find("[data-testid=workbench-ready]").HasAttribute("disabled").ShouldBeTrue();

        cut.Find("[data-testid=workbench-sign-in]").Click();
        ShowsState(cut, "idle");
        State(cut).TextContent.ShouldBe("Idle");
        (await ctx.WithAsync<Yunke.Core.AgentStates.Workbench, AgentStatus>(w => w.StateAsync(agent))).State.ShouldBe(AgentState.Idle);
        cut.Find("[data-testid=workbench-sign-in]").HasAttribute("disabled").ShouldBeTrue();

        cut.Find("[data-testid=workbench-not-ready]").Click();
        ShowsState(cut, "busy");

        // The same agent goes idle through the service the REST API calls: the open page follows.
        await ctx.WithAsync<Yunke.Core.AgentStates.Workbench, AgentStatus>(w => w.ChangeAsync(agent, AgentTrigger.Ready));
        ShowsState(cut, "idle");

        var minutes = cut.Find("[data-testid=workbench-rest-minutes]");
        (minutes.TagName == "INPUT" ? minutes : minutes.QuerySelector("input")!).Change("5");
        cut.Find("[data-testid=workbench-rest]").Click();
        ShowsState(cut, "rest");
        cut.Find("[data-testid=workbench-until]").TextContent.ShouldContain(clock.GetUtcNow().UtcDateTime.AddMinutes(5).ToString("HH:mm:ss"));

        // The rest is over: the owner's timer makes the agent idle and the page shows it without a click.
        clock.Advance(TimeSpan.FromMinutes(5));
        ShowsState(cut, "idle");
        cut.FindAll("[data-testid=workbench-until]").ShouldBeEmpty();

        cut.Find("[data-testid=workbench-sign-out]").Click();
        ShowsState(cut, "signedOut");
    }

    [Fact]
    public async Task Leaving_the_page_ends_its_subscription()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await ctx.TenantAdminAsync();
        ctx.SignIn(await ctx.BoundAgentAsync(admin, "1001"));
        var states = await ctx.WithAsync<AgentStateHub, TenantAgentStates>(hub => hub.ForTenantAsync(admin.Tenant));

        var cut = ctx.Render<AgentWorkbench>();
        ShowsState(cut, "signedOut");
        states.SubscriberCount.ShouldBe(1);
        await ctx.DisposeComponentsAsync();
        states.SubscriberCount.ShouldBe(0);
    }

    [Fact]
    public async Task An_account_bound_to_no_agent_id_is_told_why_and_gets_no_state_bar()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await ctx.TenantAdminAsync();
        await ctx.BoundAgentAsync(admin, "1001");
        ctx.SignIn(await ctx.WithAsync<AccountService, Account>(s => s.GetAsync(admin.AccountId)));

        var cut = ctx.Render<AgentWorkbench>();
        cut.WaitForElement("[data-testid=workbench-unavailable]", Wait).TextContent.ShouldContain("not bound to an agent ID");
        cut.FindAll("[data-testid=workbench-state-bar]").ShouldBeEmpty();
    }

    [Fact]
    public async Task The_menu_offers_the_workbench_only_to_an_account_bound_to_an_agent_id()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await ctx.TenantAdminAsync();
        var agent = await ctx.BoundAgentAsync(admin, "1001");

        var adminMenu = ctx.Render<NavMenu>();
        adminMenu.WaitForElement("[data-testid=nav-agents]", Wait);
        adminMenu.FindAll("[data-testid=nav-workbench]").ShouldBeEmpty();
        await ctx.DisposeComponentsAsync();

        ctx.SignIn(agent);
        var agentMenu = ctx.Render<NavMenu>();
        agentMenu.WaitForElement("[data-testid=nav-workbench]", Wait).GetAttribute("href").ShouldBe("/workbench");
        agentMenu.FindAll("[data-testid=nav-agents]").ShouldBeEmpty();
        agentMenu.FindAll("[data-testid=nav-employees]").ShouldBeEmpty();
    }
}
