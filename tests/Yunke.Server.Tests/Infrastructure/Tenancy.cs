using System.Text.Json;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>A call center instance ready for configuration: its owner, and its tenant admin signed in with a changed password.</summary>
public sealed record Tenant(ApiClient Owner, ApiClient Admin, JsonElement Instance, string Number)
{
    public string Id => Instance.GetProperty("id").GetString()!;
}

public static class Tenancy
{
    public const string AdminPassword = "Admin#Pass2026";

    /// <summary>Sign-up → verification → commercial use → docked number → instance → tenant admin's first sign-in.</summary>
    public static async Task<Tenant> NewTenantAsync(this YunkeApp app, int voice = 2, int video = 1, int multimedia = 1)
    {
        var (owner, number) = await app.NewCommercialAccountAsync();
        var instance = await owner.PostAsync<JsonElement>("/api/v1/instances",
            Commerce.InstanceBody([number], voice: voice, video: video, multimedia: multimedia));
        var admin = instance.GetProperty("tenantAdmin");
        var account = admin.GetProperty("account").GetString()!;
        var first = await app.LoginAsync(account, admin.GetProperty("password").GetString()!);
        await first.PostAsync<JsonElement>("/api/v1/auth/password",
            new { currentPassword = admin.GetProperty("password").GetString(), newPassword = AdminPassword });
        var signedIn = await app.LoginAsync(account, AdminPassword);
        signedIn.Account = account;
        signedIn.Password = AdminPassword;
        return new Tenant(owner, signedIn, instance, number);
    }
}
