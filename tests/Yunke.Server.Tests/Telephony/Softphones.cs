using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Telephony;

public static class Softphones
{
    public const string Password = "Soft#Phone2026";

    /// <summary>Sets the agent's softphone password through the API and answers its number.</summary>
    public static async Task<string> SoftphoneAsync(this Tenant tenant, string agentId = "1001", string password = Password) =>
        (await tenant.Admin.PostAsync<JsonElement>($"/api/v1/agents/{agentId}/softphone/password", new { password })).Str("number");

    public static async Task<List<JsonElement>> RegistrationsAsync(this Tenant tenant, string agentId = "1001") =>
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/agents/{agentId}/softphone")).GetProperty("registrations").EnumerateArray().ToList();

    /// <summary>Polls until the condition holds (for what happens off the request path: expiry sweeps, audit writes).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new ShouldAssertException($"Not within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }
}
