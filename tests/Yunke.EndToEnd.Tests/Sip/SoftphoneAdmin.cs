using System.Text.Json;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>The tenant admin of a fresh instance, managing its agents' softphones through the REST API.</summary>
public sealed class SoftphoneAdmin(ApiSteps api, HttpClient admin) : IDisposable
{
    public static async Task<SoftphoneAdmin> NewTenantAsync(YunkeServer server)
    {
        var api = new ApiSteps(server);
        var tenant = await api.TenantWithInstanceAsync();
        return new SoftphoneAdmin(api, await api.SignedInAsync(tenant.Account, tenant.Password));
    }

    /// <summary>The instance's agent IDs with their softphone numbers, in order.</summary>
    public async Task<List<(string AgentId, string Number)>> AgentsAsync() =>
        (await SendAsync(HttpMethod.Get, "/api/v1/agents?pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(a => (a.GetProperty("agentId").GetString()!, a.GetProperty("softphoneNumber").GetString()!)).ToList();

    public Task<JsonElement> SetPasswordAsync(string agentId, string password) =>
        SendAsync(HttpMethod.Post, $"/api/v1/agents/{agentId}/softphone/password", new { password });

    /// <summary><c>{number,registrars,mode,registrations:[{contact,transport,registrar,expiresAt}]}</c></summary>
    public Task<JsonElement> SoftphoneAsync(string agentId) => SendAsync(HttpMethod.Get, $"/api/v1/agents/{agentId}/softphone");

    /// <summary>"single" or "pool"; answers the settings with their registrars.</summary>
    public Task<JsonElement> SetModeAsync(string mode) => SendAsync(HttpMethod.Put, "/api/v1/softphone-settings", new { mode });

    /// <summary>A staff account with the agent role, bound to the agent ID and past its first-login password change, signed in.</summary>
    public async Task<HttpClient> BoundAgentAsync(string agentId)
    {
        var account = $"agent{Guid.NewGuid():N}"[..16];
        const string firstPassword = "First#Pass2026", password = "Agent#Pass2026";
        await SendAsync(HttpMethod.Post, "/api/v1/employees", new
        {
            account, name = "李四", gender = "female", department = "客服一部", phone = "13900139000", email = $"{account}@example.cn",
            password = firstPassword, roles = new[] { "agent" },
        });
        await SendAsync(HttpMethod.Put, $"/api/v1/agents/{agentId}", new { employeeAccount = account });
        using (var first = await api.SignedInAsync(account, firstPassword))
            await ApiSteps.SendAsync(first, HttpMethod.Post, "/api/v1/auth/password", new { currentPassword = firstPassword, newPassword = password });
        return await api.SignedInAsync(account, password);
    }

    private Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null) => ApiSteps.SendAsync(admin, method, path, body);

    public void Dispose() => admin.Dispose();
}

public static class JsonText
{
    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
