using Microsoft.Playwright;
using Xunit.Abstractions;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests;

/// <summary>
/// Issue 2 in a real browser: a new customer walks seed chapters 1–3 in the console while the
/// operator approves each step in the operator pages, up to the tenant admin's first sign-in.
/// Each step waits for what the page shows, so a step that does not take effect fails right there.
/// </summary>
public sealed class OnboardingWalkTests(YunkeServer server, Browser browser, ITestOutputHelper log) : EndToEndTest(server, browser, log)
{
    private const string Password = "Walk#Pass2026";

    [Fact]
    public async Task A_new_customer_gets_from_sign_up_to_the_tenant_admins_first_sign_in()
    {
        var customer = Page;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var account = $"walk{suffix}";
        var company = $"云客测试科技{suffix}";
        var creditCode = TestData.CreditCode();
        var ownNumber = $"0571{Random.Shared.Next(10_000_000, 99_999_999)}";
        var instanceName = $"客服中心{suffix}";

        // Chapter 1: sign up. The console signs the new account in and shows its path.
        await customer.GotoAsync("/signup");
        await customer.FillByTestIdAsync("signup-account", account);
        await customer.FillByTestIdAsync("signup-password", Password);
        await customer.FillByTestIdAsync("signup-confirm", Password);
        await customer.FillByTestIdAsync("signup-email", $"{account}@example.cn");
        await customer.FillByTestIdAsync("signup-phone", "13800138000");
        await ScreenshotAsync("signup");
        await customer.ClickByTestIdAsync("signup-submit");
        await customer.ShowsAsync("home-step-verification");
        await ScreenshotAsync("home-after-signup");

        // Enterprise verification: the customer submits it, the operator approves it in another browser.
        await customer.ClickByTestIdAsync("nav-verification");
        await customer.FillByTestIdAsync("verification-enterprise-name", company);
        await customer.FillByTestIdAsync("verification-credit-code", creditCode);
        await customer.FillByTestIdAsync("verification-legal-person", "张三");
        await customer.ClickByTestIdAsync("verification-submit");
        await customer.HasStatusAsync("verification-status", "pending");
        await ScreenshotAsync("verification-pending");

        var op = await NewPageAsync();
        await op.SignInAsync("operator", YunkeServer.OperatorPassword);
        await op.ClickByTestIdAsync("nav-op-verifications");
        await ApproveAsync(op, $"approve-{creditCode}", "operator-verification");

        await customer.ReloadAsync();
        await customer.HasStatusAsync("verification-status", "verified");
        await ScreenshotAsync("verification-verified");

        // Chapter 2: the free trial, approved by the operator.
        await customer.ClickByTestIdAsync("nav-trial");
        await customer.FillByTestIdAsync("trial-company", company);
        await customer.FillByTestIdAsync("trial-contact-name", "张三");
        await customer.FillByTestIdAsync("trial-contact-phone", "13800138000");
        await customer.FillByTestIdAsync("trial-email", $"{account}@example.cn");
        await customer.CheckByTestIdAsync("trial-agree-privacy");
        await customer.ClickByTestIdAsync("trial-submit");
        await customer.HasStatusAsync("trial-status", "submitted");
        await ScreenshotAsync("trial-submitted");

        await op.ClickByTestIdAsync("nav-op-trials");
        await ApproveAsync(op, $"trial-approve-{company}", "operator-trial");

        await customer.ReloadAsync();
        await customer.HasStatusAsync("trial-status", "approved");
        await ScreenshotAsync("trial-approved");

        // Chapter 3: open the service for commercial use, with both agreements.
        await customer.ClickByTestIdAsync("nav-service");
        await customer.CheckByTestIdAsync("service-agree-agreement");
        await customer.CheckByTestIdAsync("service-agree-privacy");
        await customer.ClickByTestIdAsync("service-open");
        await customer.HasStatusAsync("service-status", "open");
        await ScreenshotAsync("service-open");

        // An own number, docked by the operator.
        await customer.ClickByTestIdAsync("nav-numbers");
        await customer.ClickByTestIdAsync("numbers-own-new");
        await customer.FillByTestIdAsync("own-number", ownNumber);
        await customer.FillByTestIdAsync("own-carrier", "中国电信");
        await customer.ClickByTestIdAsync("own-submit");
        await customer.HasStatusAsync($"docking-status-{ownNumber}", "docking");
        await ScreenshotAsync("own-number-docking");

        await op.ClickByTestIdAsync("nav-op-own-numbers");
        await ApproveAsync(op, $"docking-complete-{ownNumber}", "operator-docking");

        await customer.ReloadAsync();
        await customer.HasStatusAsync($"docking-status-{ownNumber}", "completed");
        await ScreenshotAsync("own-number-completed");

        // The new-instance wizard: number, name, billing with a live price, agreements.
        await customer.ClickByTestIdAsync("nav-instances");
        await customer.ClickByTestIdAsync("instances-new");
        await customer.CheckByTestIdAsync($"wizard-number-{ownNumber}");
        await ScreenshotAsync("wizard-numbers");
        await customer.ClickByTestIdAsync("wizard-next");
        await customer.FillByTestIdAsync("wizard-name", instanceName);
        await customer.ClickByTestIdAsync("wizard-next");
        await customer.ShowsAsync("wizard-quote-total");
        var quoted = (await customer.GetByTestId("wizard-quote-total").InnerTextAsync()).Trim();
        quoted.ShouldNotBeNullOrEmpty();
        await ScreenshotAsync("wizard-price");
        await customer.ClickByTestIdAsync("wizard-next");
        await customer.CheckByTestIdAsync("wizard-agree-agreement");
        await customer.CheckByTestIdAsync("wizard-agree-privacy");
        await ScreenshotAsync("wizard-confirm");
        await customer.ClickByTestIdAsync("wizard-submit");
        await customer.ShowsAsync("wizard-done");
        var tenantAdmin = (await customer.GetByTestId("tenant-admin-account").InnerTextAsync()).Trim();
        var oneTimePassword = (await customer.GetByTestId("tenant-admin-password").InnerTextAsync()).Trim();
        tenantAdmin.ShouldNotBeNullOrEmpty();
        oneTimePassword.ShouldNotBeNullOrEmpty();
        await ScreenshotAsync("wizard-done");

        // My orders: the instance's order, at the price the wizard showed.
        await customer.ClickByTestIdAsync("wizard-order-link");
        await customer.HasStatusAsync($"order-status-{instanceName}", "paid");
        (await customer.GetByTestId($"order-total-{instanceName}").InnerTextAsync()).Trim().ShouldBe(quoted);
        await ScreenshotAsync("orders");

        // The tenant admin's first sign-in: the one-time password must be changed first.
        var admin = await NewPageAsync();
        await admin.SignInAsync(tenantAdmin, oneTimePassword);
        new Uri(admin.Url).AbsolutePath.ShouldBe("/account/password");
        await admin.ShowsAsync("password-first-login");
        await ScreenshotAsync("tenant-admin-first-login", admin);
        const string newPassword = "Tenant#Admin2026";
        await admin.FillByTestIdAsync("password-current", oneTimePassword);
        await admin.FillByTestIdAsync("password-new", newPassword);
        await admin.FillByTestIdAsync("password-confirm", newPassword);
        await admin.ClickByTestIdAsync("password-submit");
        // A tenant admin's home is its instance's page.
        await admin.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/tenant");
        await Assertions.Expect(admin.GetByTestId("tenant-admin-name")).ToContainTextAsync(tenantAdmin);
        await ScreenshotAsync("tenant-home", admin);

        // The one-time password no longer opens the console.
        var again = await NewPageAsync();
        await again.GotoAsync("/login");
        await again.FillByTestIdAsync("login-account", tenantAdmin);
        await again.FillByTestIdAsync("login-password", oneTimePassword);
        await again.ClickByTestIdAsync("login-submit");
        await again.ShowsAsync("login-error");
    }

    /// <summary>The operator clicks an approve button of a review queue; the row leaves the queue of open items.</summary>
    private async Task ApproveAsync(IPage op, string testId, string step)
    {
        await op.ShowsAsync(testId);
        await ScreenshotAsync($"{step}-queue", op);
        await op.ClickByTestIdAsync(testId);
        await op.GetByTestId(testId).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await ScreenshotAsync($"{step}-approved", op);
    }
}
