using System.Text.Json;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>A call center instance set up through the REST API only, as a customer would: its tenant admin signed in.</summary>
public sealed record TenantAdmin(Api Api, string InstanceId)
{
    public const string Password = "Admin#Pass2026";

    /// <summary>Sign-up → verification (operator approves) → commercial use → own number (operator completes) → instance → admin's first sign-in.</summary>
    public static async Task<TenantAdmin> CreateAsync(Uri server, int voiceSeats = 2, string spec = "basic")
    {
        using var anonymous = new Api(server);
        using var op = await anonymous.LoginAsync("operator", YunkeServer.OperatorPassword);
        var name = $"sip{Guid.NewGuid():N}"[..16];
        const string ownerPassword = "Cloud#Pass2026";
        await anonymous.PostAsync("/api/v1/signup", new { account = name, password = ownerPassword, email = $"{name}@example.cn", phone = "13800138000" });
        using var owner = await anonymous.LoginAsync(name, ownerPassword);

        var application = await owner.PostAsync("/api/v1/me/enterprise-verification",
            new { enterpriseName = $"云客测试{name}有限公司", creditCode = TestData.CreditCode(), legalPerson = "张三" });
        await op.PostAsync($"/api/v1/operator/verifications/{application.Id()}/approve");
        await owner.PostAsync("/api/v1/me/service", new { agreeServiceAgreement = true, agreePrivacyPolicy = true });
        var number = "0" + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);
        var own = await owner.PostAsync("/api/v1/numbers/own", new { number, carrier = "中国电信" });
        await op.PostAsync($"/api/v1/operator/own-numbers/{own.Id()}/complete");

        var instance = await owner.PostAsync("/api/v1/instances", new
        {
            name = "软电话中心", numbers = new[] { number }, billingMode = "prepaid", spec,
            seats = new { voice = voiceSeats, video = 0, multimedia = 0 }, periodMonths = 12,
            agreeServiceAgreement = true, agreePrivacyPolicy = true,
        });
        var admin = instance.GetProperty("tenantAdmin");
        var account = admin.Str("account");
        using var first = await anonymous.LoginAsync(account, admin.Str("password"));
        await first.PostAsync("/api/v1/auth/password", new { currentPassword = admin.Str("password"), newPassword = Password });
        return new TenantAdmin(await anonymous.LoginAsync(account, Password), instance.Id());
    }

    /// <summary>The instance's agent IDs with their softphone numbers, in order.</summary>
    public async Task<List<(string AgentId, string Number)>> AgentsAsync() =>
        (await Api.GetAsync("/api/v1/agents?pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(a => (a.Str("agentId"), a.Str("softphoneNumber"))).ToList();

    public Task<JsonElement> SetSoftphonePasswordAsync(string agentId, string password) =>
        Api.PostAsync($"/api/v1/agents/{agentId}/softphone/password", new { password });

    public Task<JsonElement> SoftphoneAsync(string agentId) => Api.GetAsync($"/api/v1/agents/{agentId}/softphone");

    public Task<JsonElement> SetSoftphoneModeAsync(string mode) => Api.PutAsync("/api/v1/softphone-settings", new { mode });

    /// <summary>A staff account with the agent role, bound to the agent ID and past its first-login password change, signed in.</summary>
    public async Task<Api> BoundAgentAsync(string agentId)
    {
        var account = $"agent{Guid.NewGuid():N}"[..16];
        const string firstPassword = "First#Pass2026", password = "Agent#Pass2026";
        await Api.PostAsync("/api/v1/employees", new
        {
            account, name = "李四", gender = "female", department = "客服一部", phone = "13900139000", email = $"{account}@example.cn",
            password = firstPassword, roles = new[] { "agent" },
        });
        await Api.PutAsync($"/api/v1/agents/{agentId}", new { employeeAccount = account });
        using var anonymous = new Api(Api.BaseAddress);
        using var first = await anonymous.LoginAsync(account, firstPassword);
        await first.PostAsync("/api/v1/auth/password", new { currentPassword = firstPassword, newPassword = password });
        return await anonymous.LoginAsync(account, password);
    }
}

public static class Json
{
    public static string Id(this JsonElement e) => e.GetProperty("id").GetString()!;

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
