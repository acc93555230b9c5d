using AngleSharp.Dom;
using Bunit;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Server.Components.Pages.Resources;

namespace Yunke.Server.Tests.Console;

/// <summary>The new-instance wizard of seed chapter 3 step 5, rendered with the real services.</summary>
public sealed class NewInstanceWizardTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Next_without_a_number_stays_on_the_numbers_step_and_says_why()
    {
        await using var ctx = new ConsoleContext();
        var (_, number) = await ctx.CommercialAccountWithNumberAsync();
        var cut = ctx.Render<NewInstance>();
        cut.WaitForElement($"[data-testid=wizard-number-{number}]", Wait);

        cut.Find("[data-testid=wizard-next]").Click();

        cut.WaitForAssertion(() => cut.Find("[data-testid=wizard-numbers-error]").TextContent.ShouldContain("at least one number"), Wait);
        cut.FindAll("[data-testid=wizard-name]").ShouldBeEmpty(); // still on the first step
    }

    [Fact]
    public async Task Billing_step_shows_the_itemised_price_and_follows_the_choices()
    {
        await using var ctx = new ConsoleContext();
        var (_, number) = await ctx.CommercialAccountWithNumberAsync();
        var cut = ctx.Render<NewInstance>();
        await GoToBillingAsync(cut, number, "华东客服中心");

        // Defaults: the first billing mode (prepaid), basic spec, one voice seat, one month.
        cut.WaitForAssertion(() => Total(cut).ShouldBe("¥650.00"), Wait); // 500 platform fee + 150 voice seat
        cut.Find("[data-testid=quote-line-spec]").ShouldNotBeNull();
        cut.Find("[data-testid=quote-line-number]").TextContent.ShouldContain(number);

        SetNumber(cut, "wizard-seats-voice", "4");
        cut.WaitForAssertion(() => Total(cut).ShouldBe("¥1,100.00"), Wait); // 500 + 4 × 150

        InputOf(cut, "wizard-period-12").Click();
        // 12 months: (500 + 600) × 12 = 13,200, less the 15% discount for 12+ months = 11,220.
        cut.WaitForAssertion(() => Total(cut).ShouldBe("¥11,220.00"), Wait);
        cut.Find("[data-testid=quote-line-discount]").ShouldNotBeNull();
    }

    [Fact]
    public async Task Billing_step_shows_a_refused_seat_count_next_to_the_seats_and_does_not_go_on()
    {
        await using var ctx = new ConsoleContext();
        var (_, number) = await ctx.CommercialAccountWithNumberAsync();
        var cut = ctx.Render<NewInstance>();
        await GoToBillingAsync(cut, number, "华东客服中心");

        SetNumber(cut, "wizard-seats-voice", "0");
        cut.WaitForAssertion(() => cut.Find("[data-testid=wizard-seats-error]").TextContent.ShouldContain("at least one seat"), Wait);
        cut.FindAll("[data-testid=wizard-quote]").ShouldBeEmpty();

        cut.Find("[data-testid=wizard-next]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=wizard-seats-error]").ShouldNotBeNull(), Wait);
        cut.FindAll("[data-testid=wizard-agree-agreement]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Submit_needs_both_agreements_then_shows_the_tenant_admin_password_once_and_places_the_order()
    {
        await using var ctx = new ConsoleContext();
        var (actor, number) = await ctx.CommercialAccountWithNumberAsync();
        var cut = ctx.Render<NewInstance>();
        await GoToBillingAsync(cut, number, "华东客服中心");
        cut.WaitForElement("[data-testid=wizard-quote]", Wait);
        cut.Find("[data-testid=wizard-next]").Click();
        cut.WaitForElement("[data-testid=wizard-confirm-quote]", Wait);

        cut.Find("[data-testid=wizard-submit]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=error-agreeServiceAgreement]").ShouldNotBeNull(), Wait);
        cut.Find("[data-testid=error-agreePrivacyPolicy]").ShouldNotBeNull();
        (await ctx.WithAsync<InstanceService, Page<InstanceService.InstanceView>>(s => s.ListMineAsync(actor, new PageRequest(1, 20)))).Total.ShouldBe(0);

        InputOf(cut, "wizard-agree-agreement").Change(true);
        InputOf(cut, "wizard-agree-privacy").Change(true);
        cut.Find("[data-testid=wizard-submit]").Click();

        var password = cut.WaitForElement("[data-testid=tenant-admin-password]", Wait).TextContent;
        var admin = cut.Find("[data-testid=tenant-admin-account]").TextContent;
        password.Length.ShouldBeGreaterThanOrEqualTo(8);
        cut.Find("[data-testid=tenant-admin-copy]").ShouldNotBeNull();
        cut.Find("[data-testid=tenant-admin-warning]").ShouldNotBeNull();

        var instances = await ctx.WithAsync<InstanceService, Page<InstanceService.InstanceView>>(s => s.ListMineAsync(actor, new PageRequest(1, 20)));
        var instance = instances.Items.ShouldHaveSingleItem(string.Join("; ", instances.Items.Select(i => $"{i.Name} trial={i.IsTrial}")));
        instance.Name.ShouldBe("华东客服中心");
        instance.Numbers.ShouldBe([number]);
        instance.TenantAdmin.Account.ShouldBe(admin);
        instance.TenantAdmin.Password.ShouldBeNull(); // shown once, never listed again
        var orders = await ctx.WithAsync<InstanceService, Page<InstanceService.OrderView>>(s => s.ListOrdersAsync(actor, new PageRequest(1, 20)));
        orders.Items.ShouldHaveSingleItem().InstanceId.ShouldBe(instance.Id);
    }

    /// <summary>Ticks the number, names the instance and arrives at the billing step.</summary>
    private static async Task GoToBillingAsync(IRenderedComponent<NewInstance> cut, string number, string name)
    {
        cut.WaitForElement($"[data-testid=wizard-number-{number}]", Wait);
        InputOf(cut, $"wizard-number-{number}").Change(true);
        cut.Find("[data-testid=wizard-next]").Click();
        cut.WaitForElement("[data-testid=wizard-name]", Wait);
        InputOf(cut, "wizard-name").Change(name);
        cut.Find("[data-testid=wizard-next]").Click();
        cut.WaitForElement("[data-testid=wizard-seats-voice]", Wait);
        await Task.CompletedTask;
    }

    private static void SetNumber(IRenderedComponent<NewInstance> cut, string testId, string value) => InputOf(cut, testId).Change(value);

    /// <summary>The input a test id names: MudBlazor puts the id on the input itself or on its wrapper.</summary>
    private static IElement InputOf(IRenderedComponent<NewInstance> cut, string testId)
    {
        var element = cut.Find($"[data-testid='{testId}']");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input") ?? throw new InvalidOperationException($"No input in {testId}: {element.OuterHtml}");
    }

    private static string Total(IRenderedComponent<NewInstance> cut) => cut.Find("[data-testid=wizard-quote-total]").TextContent.Trim();
}
