using System.Text.Json;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>Steps of the commercial path (numbers, service, instances) that many tests start from.</summary>
public static class Commerce
{
    /// <summary>A number no other test uses: 13 random digits.</summary>
    public static string NewNumber() => "0" + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999).ToString();

    public static Task<JsonElement> OpenServiceAsync(this ApiClient account) =>
        account.PostAsync<JsonElement>("/api/v1/me/service", new { agreeServiceAgreement = true, agreePrivacyPolicy = true });

    /// <summary>Docks an own number and has the operator complete it; answers the number.</summary>
    public static async Task<string> DockedNumberAsync(this YunkeApp app, ApiClient account)
    {
        var number = NewNumber();
        var own = await account.PostAsync<JsonElement>("/api/v1/numbers/own", new { number, carrier = "中国电信" });
        var op = await app.OperatorAsync();
        await op.PostAsync<JsonElement>($"/api/v1/operator/own-numbers/{own.GetProperty("id").GetString()}/complete");
        return number;
    }

    /// <summary>A verified account in commercial use with one docked number.</summary>
    public static async Task<(ApiClient Account, string Number)> NewCommercialAccountAsync(this YunkeApp app)
    {
        var account = await app.NewVerifiedAccountAsync();
        await account.OpenServiceAsync();
        return (account, await app.DockedNumberAsync(account));
    }

    public static object InstanceBody(string[] numbers, string name = "客服中心", string billingMode = "prepaid", string spec = "basic",
        int voice = 2, int video = 1, int multimedia = 0, int? periodMonths = 12, bool agree = true) => new
    {
        name,
        numbers,
        billingMode,
        spec,
        seats = new { voice, video, multimedia },
        periodMonths,
        agreeServiceAgreement = agree,
        agreePrivacyPolicy = agree,
    };

    public static async Task<string> IdAsync(this ApiClient account) =>
        (await account.GetAsync<JsonElement>("/api/v1/me")).GetProperty("id").GetString()!;

    public static string Id(this JsonElement e) => e.GetProperty("id").GetString()!;

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    public static IEnumerable<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray();
}
