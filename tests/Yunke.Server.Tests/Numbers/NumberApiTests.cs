using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Numbers;

/// <summary>Purchase requests, own-number docking and the account's numbers.</summary>
public abstract class NumberApiTests(YunkeApp app)
{
    private static object Request() => new { requirements = "两个上海 021 号码", businessDescription = "售后服务热线", script = "您好，这里是云客售后。" };

    [Fact]
    public async Task A_fulfilled_purchase_request_gives_the_account_orderable_numbers()
    {
        var account = await app.NewCloudAccountAsync();
        var response = await account.SendPostAsync("/api/v1/numbers/purchase-requests", Request());
        ((int)response.StatusCode).ShouldBe(201);
        var request = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        request.Str("status").ShouldBe("submitted");
        (await account.GetAsync<JsonElement>("/api/v1/numbers/purchase-requests")).Items().Select(r => r.Id()).ShouldBe([request.Id()]);

        var op = await app.OperatorAsync();
        (await op.GetAsync<JsonElement>("/api/v1/operator/number-requests?status=submitted&pageSize=200")).Items()
            .ShouldContain(r => r.Id() == request.Id());
        string[] given = [Commerce.NewNumber(), Commerce.NewNumber()];
        var fulfilled = await op.PostAsync<JsonElement>($"/api/v1/operator/number-requests/{request.Id()}/fulfil",
            new { numbers = given.Select(n => new { number = n, monthlyRent = 80m, perMinute = 0.12m }) });
        fulfilled.Str("status").ShouldBe("fulfilled");
        fulfilled.GetProperty("numbers").EnumerateArray().Select(n => n.Str("number")).ShouldBe(given.Order());

        var mine = (await account.GetAsync<JsonElement>("/api/v1/numbers")).Items().ToList();
        mine.Select(n => n.Str("number")).Order().ShouldBe(given.Order());
        mine.ShouldAllBe(n => n.Str("kind") == "purchased" && n.Str("status") == "available");
        mine[0].GetProperty("monthlyRent").GetDecimal().ShouldBe(80m);
        mine[0].GetProperty("perMinute").GetDecimal().ShouldBe(0.12m);
        mine[0].GetProperty("instanceId").ValueKind.ShouldBe(JsonValueKind.Null);

        await (await op.SendPostAsync($"/api/v1/operator/number-requests/{request.Id()}/fulfil",
            new { numbers = new[] { new { number = Commerce.NewNumber(), monthlyRent = 1m, perMinute = 1m } } })).ShouldBeProblemAsync(409, "requestClosed");
    }

    [Fact]
    public async Task Fulfilling_with_bad_or_taken_numbers_is_refused_and_nothing_is_kept()
    {
        var account = await app.NewCloudAccountAsync();
        var request = await account.PostAsync<JsonElement>("/api/v1/numbers/purchase-requests", Request());
        var op = await app.OperatorAsync();
        var problem = await (await op.SendPostAsync($"/api/v1/operator/number-requests/{request.Id()}/fulfil",
            new { numbers = new object[] { new { number = "12-34", monthlyRent = 1m, perMinute = 1m }, new { number = "123456", monthlyRent = -1m, perMinute = 1m } } }))
            .ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("numbers[0].number", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("numbers[1].monthlyRent", out _).ShouldBeTrue();

        var other = await app.NewCloudAccountAsync();
        var taken = await app.DockedNumberAsync(other);
        var fresh = Commerce.NewNumber();
        await (await op.SendPostAsync($"/api/v1/operator/number-requests/{request.Id()}/fulfil",
            new { numbers = new[] { new { number = fresh, monthlyRent = 1m, perMinute = 1m }, new { number = taken, monthlyRent = 1m, perMinute = 1m } } }))
            .ShouldBeProblemAsync(409, "numberTaken");
        (await account.GetAsync<JsonElement>("/api/v1/numbers")).GetProperty("total").GetInt32().ShouldBe(0);
        (await account.GetAsync<JsonElement>("/api/v1/numbers/purchase-requests")).Items().Single().Str("status").ShouldBe("submitted");
    }

    [Fact]
    public async Task The_operator_rejects_a_request_with_a_reason()
    {
        var account = await app.NewCloudAccountAsync();
        var request = await account.PostAsync<JsonElement>("/api/v1/numbers/purchase-requests", Request());
        var op = await app.OperatorAsync();
        await (await op.SendPostAsync($"/api/v1/operator/number-requests/{request.Id()}/reject", new { reason = "" })).ShouldBeProblemAsync(400, "validation");
        var rejected = await op.PostAsync<JsonElement>($"/api/v1/operator/number-requests/{request.Id()}/reject", new { reason = "营业执照不清晰" });
        rejected.Str("status").ShouldBe("rejected");
        rejected.Str("reason").ShouldBe("营业执照不清晰");
        (await op.GetAsync<JsonElement>("/api/v1/operator/number-requests?status=rejected&pageSize=200")).Items().ShouldContain(r => r.Id() == request.Id());
    }

    [Fact]
    public async Task A_purchase_request_needs_every_field()
    {
        var account = await app.NewCloudAccountAsync();
        var problem = await (await account.SendPostAsync("/api/v1/numbers/purchase-requests", new { requirements = "x" }))
            .ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("businessDescription", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("script", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task An_own_number_is_docking_until_the_operator_completes_it()
    {
        var account = await app.NewCloudAccountAsync();
        var number = Commerce.NewNumber();
        var response = await account.SendPostAsync("/api/v1/numbers/own", new { number, carrier = "中国联通" });
        ((int)response.StatusCode).ShouldBe(201);
        var own = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        own.Str("dockingStatus").ShouldBe("docking");
        own.Str("kind").ShouldBe("own");
        own.Str("carrier").ShouldBe("中国联通");

        var op = await app.OperatorAsync();
        (await op.GetAsync<JsonElement>("/api/v1/operator/own-numbers?dockingStatus=docking&pageSize=200")).Items().ShouldContain(n => n.Id() == own.Id());
        var completed = await op.PostAsync<JsonElement>($"/api/v1/operator/own-numbers/{own.Id()}/complete");
        completed.Str("dockingStatus").ShouldBe("completed");
        completed.Str("status").ShouldBe("available");
        (await op.GetAsync<JsonElement>("/api/v1/operator/own-numbers?dockingStatus=docking&pageSize=200")).Items().ShouldNotContain(n => n.Id() == own.Id());
        (await account.GetAsync<JsonElement>("/api/v1/numbers")).Items().Single().Str("dockingStatus").ShouldBe("completed");
    }

    [Theory]
    [InlineData("1234")]
    [InlineData("021-12345678")]
    [InlineData("+86 21 1234")]
    public async Task A_malformed_number_is_a_problem_on_number(string number)
    {
        var account = await app.NewCloudAccountAsync();
        var problem = await (await account.SendPostAsync("/api/v1/numbers/own", new { number, carrier = "中国电信" })).ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("number", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task A_number_is_unique_across_the_platform()
    {
        var first = await app.NewCloudAccountAsync();
        var number = Commerce.NewNumber();
        await first.PostAsync<JsonElement>("/api/v1/numbers/own", new { number, carrier = "中国电信" });
        var second = await app.NewCloudAccountAsync();
        await (await second.SendPostAsync("/api/v1/numbers/own", new { number, carrier = "中国移动" })).ShouldBeProblemAsync(409, "numberTaken");
        await (await first.SendPostAsync("/api/v1/numbers/own", new { number, carrier = "中国移动" })).ShouldBeProblemAsync(409, "numberTaken");
    }

    [Fact]
    public async Task Accounts_see_only_their_own_numbers_and_requests()
    {
        var first = await app.NewCloudAccountAsync();
        await app.DockedNumberAsync(first);
        await first.PostAsync<JsonElement>("/api/v1/numbers/purchase-requests", Request());
        var second = await app.NewCloudAccountAsync();
        (await second.GetAsync<JsonElement>("/api/v1/numbers")).GetProperty("total").GetInt32().ShouldBe(0);
        (await second.GetAsync<JsonElement>("/api/v1/numbers/purchase-requests")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Operator_queues_are_for_the_operator_only_and_a_frozen_account_cannot_request()
    {
        var account = await app.NewCloudAccountAsync();
        (await account.Http.GetAsync("/api/v1/operator/number-requests")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await account.Http.GetAsync("/api/v1/operator/own-numbers")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        await (await (await app.OperatorAsync()).Http.GetAsync("/api/v1/operator/own-numbers?dockingStatus=done")).ShouldBeProblemAsync(400, "validation");

        var op = await app.OperatorAsync();
        await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{await account.IdAsync()}/freeze", new { reason = "欠费" });
        await (await account.SendPostAsync("/api/v1/numbers/own", new { number = Commerce.NewNumber(), carrier = "中国电信" })).ShouldBeProblemAsync(422, "accountFrozen");
        await (await account.SendPostAsync("/api/v1/numbers/purchase-requests", Request())).ShouldBeProblemAsync(422, "accountFrozen");
    }
}

public sealed class NumberApiTestsOnSqlite(SqliteApp app) : NumberApiTests(app), IClassFixture<SqliteApp>;

public sealed class NumberApiTestsOnPostgres(PostgresApp app) : NumberApiTests(app), IClassFixture<PostgresApp>;
