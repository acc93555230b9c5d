using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Persistence;
using Yunke.Core.SkillQueues;
using Yunke.Server.Components.Pages.Config;

namespace Yunke.Server.Tests.Console;

/// <summary>The configuration center pages of agents, skill queues, called routes and softphones, on the real services.</summary>
public sealed class ConfigurationPagesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>The input a test id names: MudBlazor puts the id on the input itself or on its wrapper.</summary>
    private static IElement InputOf<T>(IRenderedComponent<T> cut, string testId) where T : Microsoft.AspNetCore.Components.IComponent
    {
        var element = cut.Find($"[data-testid='{testId}']");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input") ?? throw new InvalidOperationException($"No input in {testId}: {element.OuterHtml}");
    }

    /// <summary>An instance with 2 voice seats and 1 video seat, its tenant admin signed in.</summary>
    private static async Task<(Actor Admin, string Number)> TenantAsync(ConsoleContext ctx)
    {
        var (owner, number) = await ctx.CommercialAccountWithNumberAsync();
        var instance = await ctx.WithAsync<InstanceService, InstanceService.InstanceView>(s => s.CreateAsync(owner,
            new InstanceService.InstanceInput("配置中心", [number], "prepaid", "basic", new Seats(2, 1, 0), 1, true, true)));
        var admin = await ctx.WithAsync<YunkeDb, Account>(db => db.Set<Account>().SingleAsync(a => a.Name == instance.TenantAdmin.Account));
        return (ctx.SignIn(admin), number);
    }

    [Fact]
    public async Task Agent_management_lists_the_pre_allocated_agent_ids_with_their_default_queues()
    {
        await using var ctx = new ConsoleContext();
        await TenantAsync(ctx);
        var cut = ctx.Render<AgentManagement>();
        cut.WaitForElement("[data-testid=agent-1003]", Wait);
        cut.Find("[data-testid=agent-1001]").TextContent.ShouldBe("1001");
        cut.Find("[data-testid=agent-queues-1001]").TextContent.ShouldBe("默认语音队列");
        cut.Find("[data-testid=agent-queues-1003]").TextContent.ShouldBe("默认视频队列");
        cut.Find("[data-testid=agent-account-1002]").TextContent.ShouldBe("Not bound");
    }

    [Fact]
    public async Task The_configure_dialog_saves_auto_answer_for_the_agent()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await TenantAsync(ctx);
        var provider = ctx.Render<MudDialogProvider>();
        var cut = ctx.Render<AgentManagement>();
        cut.WaitForElement("[data-testid=agent-configure-1002]", Wait).Click();

        provider.WaitForElement("[data-testid=agent-dialog]", Wait);
        InputOf(provider, "agent-auto-answer").Change(true);
        provider.Find("[data-testid=agent-submit]").Click();

        provider.WaitForAssertion(() => provider.FindAll("[data-testid=agent-dialog]").ShouldBeEmpty(), Wait);
        var agent = await ctx.WithAsync<AgentService, AgentService.AgentView>(s => s.GetAsync(admin, "1002"));
        agent.AutoAnswer.ShouldBeTrue();
        agent.AutoAnswerDelaySeconds.ShouldBe(2);
        cut.WaitForAssertion(() => cut.Find("[data-testid=agent-1002]").ParentElement!.TextContent.ShouldContain("after 2 s"), Wait);
    }

    [Fact]
    public async Task The_configure_dialog_binds_a_business_account_chosen_from_the_list()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await TenantAsync(ctx);
        var employee = await ctx.WithAsync<YunkeDb, string>(async db =>
        {
            var account = new Account { Name = $"emp{Guid.NewGuid():N}"[..12], Kind = AccountKind.Staff, Roles = [Roles.Agent], TenantId = admin.TenantId };
            db.Add(account);
            db.Entry(account).Property(a => a.NormalizedName).CurrentValue = Account.Normalize(account.Name);
            await db.SaveChangesAsync();
            return account.Name;
        });
        var popover = ctx.Render<MudPopoverProvider>();
        var provider = ctx.Render<MudDialogProvider>();
        var cut = ctx.Render<AgentManagement>();
        cut.WaitForElement("[data-testid=agent-configure-1001]", Wait).Click();
        provider.WaitForElement("[data-testid=agent-dialog]", Wait);

        // MudSelect opens on a mouse-down on its input wrapper; the test id sits on the input itself.
        provider.Find("[data-testid=agent-account]").Closest(".mud-input")!.MouseDown();
        popover.WaitForAssertion(() => popover.FindAll(".mud-list-item").Any(i => i.TextContent.Contains(employee)).ShouldBeTrue(), Wait);
        popover.FindAll(".mud-list-item").First(i => i.TextContent.Contains(employee)).Click();
        provider.Find("[data-testid=agent-submit]").Click();

        provider.WaitForAssertion(() => provider.FindAll("[data-testid=agent-dialog]").ShouldBeEmpty(), Wait);
        cut.WaitForAssertion(() => cut.Find("[data-testid=agent-account-1001]").TextContent.ShouldBe(employee), Wait);
        (await ctx.WithAsync<AgentService, AgentService.AgentView>(s => s.GetAsync(admin, "1001"))).EmployeeAccount.ShouldBe(employee);
    }

    [Fact]
    public async Task A_new_skill_queue_is_saved_and_a_duplicate_name_is_refused_in_the_dialog()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await TenantAsync(ctx);
        var provider = ctx.Render<MudDialogProvider>();
        var cut = ctx.Render<SkillQueues>();
        cut.WaitForElement("[data-testid=queue-默认语音队列]", Wait);

        cut.Find("[data-testid=queue-new]").Click();
        provider.WaitForElement("[data-testid=queue-dialog]", Wait);
        InputOf(provider, "queue-name").Change("售后");
        provider.Find("[data-testid=queue-save]").Click();
        cut.WaitForElement("[data-testid=queue-售后]", Wait);
        var queues = await ctx.WithAsync<SkillQueueService, Page<SkillQueueService.QueueView>>(s => s.ListAsync(admin, new PageRequest(1, 50)));
        queues.Items.Single(q => q.Name == "售后").MediaType.ShouldBe(MediaType.Voice);

        cut.Find("[data-testid=queue-new]").Click();
        provider.WaitForElement("[data-testid=queue-dialog]", Wait);
        InputOf(provider, "queue-name").Change("售后");
        provider.Find("[data-testid=queue-save]").Click();
        provider.WaitForAssertion(() => provider.Find("[data-testid=queue-dialog]").TextContent.ShouldContain("already has a skill queue"), Wait);
    }

    [Fact]
    public async Task A_called_route_to_another_tenants_number_shows_why_and_one_to_our_number_is_listed()
    {
        await using var ctx = new ConsoleContext();
        var (other, otherNumber) = await TenantAsync(ctx);
        var (admin, number) = await TenantAsync(ctx);
        var provider = ctx.Render<MudDialogProvider>();
        var cut = ctx.Render<CalledRoutes>();

        cut.WaitForElement("[data-testid=route-new]", Wait).Click();
        provider.WaitForElement("[data-testid=route-dialog]", Wait);
        InputOf(provider, "route-access-code").Change(otherNumber);
        InputOf(provider, "route-device-ivr").Click();
        provider.WaitForElement("[data-testid=route-robot]", Wait);
        InputOf(provider, "route-robot").Change("robot-1");
        provider.Find("[data-testid=route-submit]").Click();
        provider.WaitForAssertion(() => provider.Find("[data-testid=route-dialog]").TextContent.ShouldContain("not a number of this instance"), Wait);

        InputOf(provider, "route-access-code").Change(number + "1");
        provider.Find("[data-testid=route-submit]").Click();
        cut.WaitForElement($"[data-testid=route-{number}1]", Wait);
        cut.Find($"[data-testid=route-target-{number}1]").TextContent.Trim().ShouldBe("robot-1");
        (await ctx.WithAsync<CalledRouteService, Page<CalledRouteService.RouteView>>(s => s.ListAsync(other, new PageRequest(1, 50)))).Total.ShouldBe(0);
        (await ctx.WithAsync<CalledRouteService, Page<CalledRouteService.RouteView>>(s => s.ListAsync(admin, new PageRequest(1, 50)))).Total.ShouldBe(1);
    }

    [Fact]
    public async Task Agent_information_shows_registrars_by_mode_and_resets_the_softphone_password()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await TenantAsync(ctx);
        var provider = ctx.Render<MudDialogProvider>();
        var cut = ctx.Render<AgentInfo>();
        cut.WaitForAssertion(() => cut.Find("[data-testid=softphone-registrars]").TextContent.ShouldBe("127.0.0.1:5060"), Wait);

        InputOf(cut, "softphone-mode-pool").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=softphone-registrars]").TextContent.ShouldBe("127.0.0.1:5060, 127.0.0.1:5062"), Wait);

        cut.WaitForElement("[data-testid=softphone-reset-1001]", Wait).Click();
        provider.WaitForElement("[data-testid=softphone-password-dialog]", Wait);
        InputOf(provider, "softphone-password").Change("Soft#Phone9");
        InputOf(provider, "softphone-password-confirm").Change("Soft#Phone9");
        provider.Find("[data-testid=softphone-password-submit]").Click();
        provider.WaitForAssertion(() => provider.FindAll("[data-testid=softphone-password-dialog]").ShouldBeEmpty(), Wait);

        var phone = await ctx.WithAsync<SoftphoneService, SoftphoneService.SoftphoneView>(s => s.GetAsync(admin, "1001"));
        phone.PasswordSet.ShouldBeTrue();
        phone.Mode.ShouldBe(SoftphoneMode.Pool);
    }

    [Fact]
    public async Task Agent_information_shows_where_and_until_when_a_phone_is_registered()
    {
        await using var ctx = new ConsoleContext();
        var (admin, _) = await TenantAsync(ctx);
        var phone = await ctx.WithAsync<SoftphoneService, SoftphoneService.SoftphoneView>(s => s.GetAsync(admin, "1001"));
        var registrations = ctx.Services.GetRequiredService<Yunke.Core.Registrations.SoftphoneRegistrations>();
        registrations.Register(new Yunke.Core.Registrations.RegisterRequest(admin.Tenant, "1001", "127.0.0.1:5060", "udp", "198.51.100.7:40001",
            "call-1", 1, [new Yunke.Core.Registrations.ContactRequest($"sip:{phone.Number}@198.51.100.7:40001", 600)], false, null)).Succeeded.ShouldBeTrue();

        var cut = ctx.Render<AgentInfo>();
        cut.WaitForAssertion(() =>
        {
            var cell = cut.Find("[data-testid=softphone-registration-1001]");
            cell.QuerySelector("[data-status=registered]").ShouldNotBeNull();
            cell.TextContent.ShouldContain("198.51.100.7:40001");
            cell.TextContent.ShouldContain("127.0.0.1:5060");
        }, Wait);
        if (cut.FindAll("[data-testid=softphone-registration-1002]").Count > 0)
            cut.Find("[data-testid=softphone-registration-1002] [data-status=unregistered]").ShouldNotBeNull();
    }
}
