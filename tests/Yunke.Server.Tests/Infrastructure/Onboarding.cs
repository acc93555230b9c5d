using System.Text.Json;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>Steps of the onboarding path that many tests start from.</summary>
public static class Onboarding
{
    /// <summary>A valid, random unified social credit code: an enterprise verifies only one account.</summary>
    public static string NewCreditCode()
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        var first17 = "91" + new string(Enumerable.Range(0, 15).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]).ToArray());
        return first17 + Yunke.Core.Verification.CreditCode.CheckCharacter(first17);
    }

    /// <summary>Applies for enterprise verification and has the operator approve it; answers the application.</summary>
    public static async Task<JsonElement> VerifyAsync(this YunkeApp app, ApiClient account, string enterprise = "云客企业有限公司")
    {
        var application = await account.PostAsync<JsonElement>("/api/v1/me/enterprise-verification",
            new { enterpriseName = enterprise, creditCode = NewCreditCode(), legalPerson = "张三" });
        var op = await app.OperatorAsync();
        return await op.PostAsync<JsonElement>($"/api/v1/operator/verifications/{application.GetProperty("id").GetString()}/approve");
    }

    /// <summary>A new cloud account, verified.</summary>
    public static async Task<ApiClient> NewVerifiedAccountAsync(this YunkeApp app)
    {
        var account = await app.NewCloudAccountAsync();
        await app.VerifyAsync(account);
        return account;
    }
}
