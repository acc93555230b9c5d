using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Offerings;

/// <summary>The catalog: anyone reads it, only the operator changes it, and quotes follow the change.</summary>
public abstract class OfferingApiTests(YunkeApp app)
{
    [Fact]
    public async Task Anyone_reads_the_seeded_catalog_with_names_in_both_languages()
    {
        var catalog = await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings");
        catalog.Str("currency").ShouldBe("CNY");
        var prepaid = catalog.GetProperty("billingModes").EnumerateArray().Single(m => m.Str("code") == "prepaid");
        prepaid.Str("kind").ShouldBe("prepaid");
        prepaid.GetProperty("periodMonths").EnumerateArray().Select(p => p.GetInt32()).ShouldBe([1, 3, 6, 12, 24, 36]);
        prepaid.GetProperty("name").Str("zh").ShouldNotBeNullOrWhiteSpace();
        prepaid.GetProperty("name").Str("en").ShouldNotBeNullOrWhiteSpace();
        catalog.GetProperty("billingModes").EnumerateArray().ShouldContain(m => m.Str("kind") == "payPerUse");
        catalog.GetProperty("specs").EnumerateArray().Select(s => s.Str("code")).ShouldBe(["basic", "standard", "enterprise"]);
        catalog.GetProperty("seatPrices").GetProperty("video").GetDecimal().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task The_operator_changes_prices_and_the_next_quote_uses_them()
    {
        var op = await app.OperatorAsync();
        var catalog = JsonNode.Parse((await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetRawText())!;
        catalog["seatPrices"]!["voice"] = 123.45m;
        catalog["specs"]![0]!["monthlyFee"] = 1000m;
        var saved = await op.PutAsync<JsonElement>("/api/v1/operator/offerings", catalog);
        saved.GetProperty("seatPrices").GetProperty("voice").GetDecimal().ShouldBe(123.45m);
        (await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetProperty("seatPrices").GetProperty("voice").GetDecimal().ShouldBe(123.45m);

        var (account, number) = await app.NewCommercialAccountAsync();
        var quote = await account.PostAsync<JsonElement>("/api/v1/instances/quote",
            Commerce.InstanceBody([number], spec: catalog["specs"]![0]!["code"]!.GetValue<string>(), voice: 2, video: 0, periodMonths: 1));
        var lines = quote.GetProperty("lines").EnumerateArray().ToList();
        lines.Single(l => l.Str("item") == "seat.voice").GetProperty("amount").GetDecimal().ShouldBe(246.90m);
        lines.Single(l => l.Str("item") == "spec").GetProperty("amount").GetDecimal().ShouldBe(1000m);

        var audit = await op.GetAsync<JsonElement>("/api/v1/audit?action=offerings.changed");
        audit.Items().ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_broken_catalog_is_refused_field_by_field_and_nothing_changes()
    {
        var op = await app.OperatorAsync();
        var before = (await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetRawText();
        var catalog = JsonNode.Parse(before)!;
        catalog["currency"] = "yuan";
        catalog["specs"]![1]!["maxSeats"] = 0;
        var problem = await (await op.Http.PutAsJsonAsync("/api/v1/operator/offerings", catalog)).ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("currency", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("specs[1].maxSeats", out _).ShouldBeTrue();
        (await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetRawText().ShouldBe(before);
    }

    [Fact]
    public async Task Lists_left_out_of_a_billing_mode_are_stored_empty()
    {
        var op = await app.OperatorAsync();
        var catalog = JsonNode.Parse((await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetRawText())!;
        var payPerUse = catalog["billingModes"]!.AsArray().Single(m => m!["kind"]!.GetValue<string>() == "payPerUse")!.AsObject();
        payPerUse.Remove("discounts");
        payPerUse.Remove("periodMonths");
        var saved = await op.PutAsync<JsonElement>("/api/v1/operator/offerings", catalog);
        var stored = saved.GetProperty("billingModes").EnumerateArray().Single(m => m.Str("kind") == "payPerUse");
        stored.GetProperty("discounts").GetArrayLength().ShouldBe(0);

        var (account, number) = await app.NewCommercialAccountAsync();
        var quote = await account.PostAsync<JsonElement>("/api/v1/instances/quote",
            Commerce.InstanceBody([number], billingMode: payPerUse["code"]!.GetValue<string>(), periodMonths: null));
        quote.GetProperty("lines").EnumerateArray().ShouldAllBe(l => l.GetProperty("months").GetInt32() == 1);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_commercial_endpoints()
    {
        var document = await app.Anonymous().GetAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/offerings", "/api/v1/instances/quote", "/api/v1/numbers/own", "/api/v1/me/trial-applications",
                     "/api/v1/operator/number-requests/{id}/fulfil", "/api/v1/operator/trial-applications/{id}/reject", "/api/v1/me/service" })
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
    }

    [Fact]
    public async Task A_cloud_account_cannot_change_the_catalog()
    {
        var account = await app.NewCloudAccountAsync();
        var catalog = await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings");
        (await account.Http.PutAsJsonAsync("/api/v1/operator/offerings", catalog)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }
}

public sealed class OfferingApiTestsOnSqlite(SqliteApp app) : OfferingApiTests(app), IClassFixture<SqliteApp>;

public sealed class OfferingApiTestsOnPostgres(PostgresApp app) : OfferingApiTests(app), IClassFixture<PostgresApp>;
