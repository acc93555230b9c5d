using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The running server's REST API, for what a test needs before its browser steps (the onboarding walk
/// already proves those steps in the browser) and to check what the browser did.
/// </summary>
public sealed class ApiSteps(YunkeServer server)
{
    /// <summary>A call center instance with one docked own number, its tenant admin past the first-login change.</summary>
    public sealed record TenantAdmin(string Account, string Password, string Number);

    public async Task<TenantAdmin> TenantWithInstanceAsync(int voiceSeats = 2)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var account = $"cfg{suffix}";
        const string password = "Config#Pass2026";
        using var anonymous = Client();
        await SendAsync(anonymous, HttpMethod.Post, "/api/v1/signup", new { account, password, email = $"{account}@example.cn", phone = "13800138000" });
        using var customer = await SignedInAsync(account, password);
        using var op = await SignedInAsync("operator", YunkeServer.OperatorPassword);

        var verification = await SendAsync(customer, HttpMethod.Post, "/api/v1/me/enterprise-verification",
            new { enterpriseName = $"云客配置科技{suffix}", creditCode = TestData.CreditCode(), legalPerson = "张三" });
        await SendAsync(op, HttpMethod.Post, $"/api/v1/operator/verifications/{verification.GetProperty("id").GetString()}/approve");
        await SendAsync(customer, HttpMethod.Post, "/api/v1/me/service", new { agreeServiceAgreement = true, agreePrivacyPolicy = true });
        var number = $"0571{Random.Shared.Next(10_000_000, 99_999_999)}";
        var own = await SendAsync(customer, HttpMethod.Post, "/api/v1/numbers/own", new { number, carrier = "中国电信" });
        await SendAsync(op, HttpMethod.Post, $"/api/v1/operator/own-numbers/{own.GetProperty("id").GetString()}/complete");

        var instance = await SendAsync(customer, HttpMethod.Post, "/api/v1/instances", new
        {
            name = $"配置中心{suffix}", numbers = new[] { number }, billingMode = "prepaid", spec = "basic",
            seats = new { voice = voiceSeats, video = 0, multimedia = 0 }, periodMonths = 1,
            agreeServiceAgreement = true, agreePrivacyPolicy = true,
        });
        var admin = instance.GetProperty("tenantAdmin");
        var adminAccount = admin.GetProperty("account").GetString()!;
        var oneTime = admin.GetProperty("password").GetString()!;
        const string adminPassword = "Tenant#Admin2026";
        using var first = await SignedInAsync(adminAccount, oneTime);
        await SendAsync(first, HttpMethod.Post, "/api/v1/auth/password", new { currentPassword = oneTime, newPassword = adminPassword });
        return new TenantAdmin(adminAccount, adminPassword, number);
    }

    /// <summary>A client holding the account's bearer token.</summary>
    public async Task<HttpClient> SignedInAsync(string account, string password)
    {
        using var anonymous = Client();
        var login = await SendAsync(anonymous, HttpMethod.Post, "/api/v1/auth/login", new { account, password });
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>Sends JSON and answers the JSON, or fails with the problem details the server sent.</summary>
    public static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null && method == HttpMethod.Get ? null : JsonContent.Create(body ?? new { }) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {method} {path}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    private HttpClient Client() => new() { BaseAddress = server.BaseAddress };
}
