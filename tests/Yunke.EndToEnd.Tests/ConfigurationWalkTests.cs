using Microsoft.Playwright;
using Xunit.Abstractions;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests;

/// <summary>
/// Issue 3 in a real browser: seed chapter 4 steps 1–5. The tenant admin of a new instance creates a
/// business account, a skill queue, binds the account to an agent ID with that queue, routes the
/// instance's number to the queue and resets the agent's softphone password; then the new agent
/// signs in, changes its first password, opens the workbench, signs in and goes idle.
/// </summary>
public sealed class ConfigurationWalkTests(YunkeServer server, Browser browser, ITestOutputHelper log) : EndToEndTest(server, browser, log)
{
    private const string FirstPassword = "First#Pass2026";
    private const string OwnPassword = "Own#Agent2026x";
    private const string SoftphonePassword = "Phone#Walk26";

    [Fact]
    public async Task A_tenant_admin_configures_an_agent_who_then_signs_in_and_goes_idle()
    {
        var api = new ApiSteps(Server);
        var tenant = await api.TenantWithInstanceAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var employee = $"walkagent{suffix}";
        var queueName = $"售后{suffix}";

        // Step 1: the tenant admin enters the instance's home page.
        var admin = Page;
        await admin.SignInAsync(tenant.Account, tenant.Password);
        await admin.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/tenant");
        await ScreenshotAsync("tenant-home");

        // Step 2: a business account in 默认组织, in the three steps basic information → role → supervisor.
        await admin.ClickByTestIdAsync("nav-employees");
        await admin.ClickByTestIdAsync("org-默认组织");
        await admin.ClickByTestIdAsync("employee-new");
        await admin.FillByTestIdAsync("employee-account", employee);
        await admin.FillByTestIdAsync("employee-name", "王五");
        await admin.FillByTestIdAsync("employee-department", "客服一部");
        await admin.FillByTestIdAsync("employee-phone", "13900139000");
        await admin.FillByTestIdAsync("employee-email", $"{employee}@example.cn");
        await admin.FillByTestIdAsync("employee-password", FirstPassword);
        await admin.FillByTestIdAsync("employee-confirm", FirstPassword);
        // The form takes a field's value when it loses focus; "next" stays disabled until both passwords match.
        await admin.Field("employee-confirm").PressAsync("Tab");
        await ScreenshotAsync("employee-basic");
        await admin.ClickByTestIdAsync("employee-next");
        await admin.CheckByTestIdAsync("employee-role-agent");
        await ScreenshotAsync("employee-role");
        await admin.ClickByTestIdAsync("employee-next");
        await admin.ShowsAsync("employee-finish");
        await ScreenshotAsync("employee-supervisor");
        await admin.ClickByTestIdAsync("employee-finish");
        await admin.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/config/employees");
        await admin.ShowsAsync($"employee-{employee}");
        await ScreenshotAsync("employee-created");

        // A skill queue of its own for the agent.
        await admin.ClickByTestIdAsync("nav-skill-queues");
        await admin.ClickByTestIdAsync("queue-new");
        await admin.FillByTestIdAsync("queue-name", queueName);
        await ScreenshotAsync("queue-new");
        await admin.ClickByTestIdAsync("queue-save");
        await admin.ShowsAsync($"queue-{queueName}");
        await ScreenshotAsync("queues");

        // Step 3: agent ID 1001, pre-allocated with its default queue, gets the account and the new queue.
        await admin.ClickByTestIdAsync("nav-agents");
        await Assertions.Expect(admin.GetByTestId("agent-queues-1001")).ToHaveTextAsync("默认语音队列");
        await ScreenshotAsync("agents");
        await admin.ClickByTestIdAsync("agent-configure-1001");
        await admin.ShowsAsync("agent-dialog");
        await admin.ChooseAsync("agent-account", employee);
        await admin.ChooseAsync("agent-queues", queueName);
        await admin.CloseMenusAsync();
        await ScreenshotAsync("agent-binding");
        await admin.ClickByTestIdAsync("agent-submit");
        await Assertions.Expect(admin.GetByTestId("agent-account-1001")).ToHaveTextAsync(employee);
        await Assertions.Expect(admin.GetByTestId("agent-queues-1001")).ToContainTextAsync(queueName);
        await ScreenshotAsync("agent-bound");

        // Step 4: the instance's number is routed to the queue.
        await admin.ClickByTestIdAsync("nav-called-routes");
        await admin.ClickByTestIdAsync("route-new");
        await admin.FillByTestIdAsync("route-access-code", tenant.Number);
        await admin.ChooseAsync("route-queue", queueName);
        await ScreenshotAsync("route-new");
        await admin.ClickByTestIdAsync("route-submit");
        await Assertions.Expect(admin.GetByTestId($"route-target-{tenant.Number}")).ToContainTextAsync(queueName);
        await ScreenshotAsync("routes");

        // 通过 OpenEye 进行通话 steps 1–2: the softphone number and registrar, and a new softphone password.
        await admin.ClickByTestIdAsync("nav-agent-info");
        await Assertions.Expect(admin.GetByTestId("softphone-number-1001")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{6}1001$"));
        var softphoneNumber = (await admin.GetByTestId("softphone-number-1001").InnerTextAsync()).Trim();
        var registrars = (await admin.GetByTestId("softphone-registrars").InnerTextAsync()).Trim();
        registrars.ShouldStartWith("127.0.0.1:");
        await ScreenshotAsync("agent-info");
        await admin.ClickByTestIdAsync("softphone-reset-1001");
        await admin.ShowsAsync("softphone-password-dialog");
        await admin.FillByTestIdAsync("softphone-password", SoftphonePassword);
        await admin.FillByTestIdAsync("softphone-password-confirm", SoftphonePassword);
        await ScreenshotAsync("softphone-password");
        await admin.ClickByTestIdAsync("softphone-password-submit");
        await admin.GetByTestId("softphone-password-dialog").WaitForAsync(new() { State = WaitForSelectorState.Detached });

        using (var adminApi = await api.SignedInAsync(tenant.Account, tenant.Password))
        {
            var phone = await ApiSteps.SendAsync(adminApi, HttpMethod.Get, "/api/v1/agents/1001/softphone");
            phone.GetProperty("number").GetString().ShouldBe(softphoneNumber);
            phone.GetProperty("passwordSet").GetBoolean().ShouldBeTrue();
            var bound = await ApiSteps.SendAsync(adminApi, HttpMethod.Get, "/api/v1/agents/1001");
            bound.GetProperty("employeeAccount").GetString().ShouldBe(employee);
            bound.GetProperty("skillQueueIds").GetArrayLength().ShouldBe(2);
        }

        // Step 5: the agent's first sign-in goes through the password change; the agent starts signed out.
        var agent = await NewPageAsync();
        await agent.SignInAsync(employee, FirstPassword);
        new Uri(agent.Url).AbsolutePath.ShouldBe("/account/password");
        await agent.ShowsAsync("password-first-login");
        await ScreenshotAsync("agent-first-login", agent);
        await agent.FillByTestIdAsync("password-current", FirstPassword);
        await agent.FillByTestIdAsync("password-new", OwnPassword);
        await agent.FillByTestIdAsync("password-confirm", OwnPassword);
        await agent.ClickByTestIdAsync("password-submit");
        await agent.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/account/password");
        await ScreenshotAsync("agent-home", agent);

        await agent.ClickByTestIdAsync("nav-workbench");
        await agent.HasStatusAsync("workbench-state", "signedOut");
        await Assertions.Expect(agent.GetByTestId("workbench-softphone-number")).ToHaveTextAsync(softphoneNumber);
        await Assertions.Expect(agent.GetByTestId("workbench-registrars")).ToHaveTextAsync(registrars);
        await ScreenshotAsync("workbench-signed-out", agent);

        // 签入: the agent is idle (示闲), and may go busy and idle again.
        await agent.ClickByTestIdAsync("workbench-sign-in");
        await agent.HasStatusAsync("workbench-state", "idle");
        await ScreenshotAsync("workbench-signed-in", agent);
        await agent.ClickByTestIdAsync("workbench-not-ready");
        await agent.HasStatusAsync("workbench-state", "busy");
        await agent.ClickByTestIdAsync("workbench-ready");
        await agent.HasStatusAsync("workbench-state", "idle");
        await ScreenshotAsync("workbench-idle", agent);

        // The REST API sees the same state; a change made through it shows on the open page at once.
        using var agentApi = await api.SignedInAsync(employee, OwnPassword);
        var state = await ApiSteps.SendAsync(agentApi, HttpMethod.Get, "/api/v1/agent/state");
        state.GetProperty("agentId").GetString().ShouldBe("1001");
        state.GetProperty("state").GetString().ShouldBe("idle");
        await ApiSteps.SendAsync(agentApi, HttpMethod.Post, "/api/v1/agent/not-ready");
        await agent.HasStatusAsync("workbench-state", "busy");
        await ScreenshotAsync("workbench-busy-from-api", agent);
        await ApiSteps.SendAsync(agentApi, HttpMethod.Post, "/api/v1/agent/ready");
        await agent.HasStatusAsync("workbench-state", "idle");
    }
}
