using System.Net.Http.Json;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Instances;

/// <summary>The new-instance wizard: quote, create with its order and tenant admin, the refusals, and duplicate submissions.</summary>
public abstract class InstanceApiTests(YunkeApp app)
{
    [Fact]
    public async Task The_quote_itemises_spec_seats_numbers_and_discount_from_the_catalog()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var catalog = await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings");
        var spec = catalog.GetProperty("specs").EnumerateArray().Single(s => s.Str("code") == "standard");
        var prices = catalog.GetProperty("seatPrices");
        var prepaid = catalog.GetProperty("billingModes").EnumerateArray().Single(m => m.Str("code") == "prepaid");
        var discount = prepaid.GetProperty("discounts").EnumerateArray()
            .Where(d => d.GetProperty("minMonths").GetInt32() <= 12).Max(d => d.GetProperty("percent").GetDecimal());

        var quote = await account.PostAsync<JsonElement>("/api/v1/instances/quote",
            Commerce.InstanceBody([number], spec: "standard", voice: 3, video: 2, multimedia: 1, periodMonths: 12));
        quote.Str("currency").ShouldBe("CNY");
        var lines = quote.GetProperty("lines").EnumerateArray().ToDictionary(l => l.Str("item"));
        lines["spec"].GetProperty("amount").GetDecimal().ShouldBe(spec.GetProperty("monthlyFee").GetDecimal() * 12);
        lines["seat.voice"].GetProperty("quantity").GetInt32().ShouldBe(3);
        lines["seat.voice"].GetProperty("amount").GetDecimal().ShouldBe(3 * prices.GetProperty("voice").GetDecimal() * 12);
        lines["seat.video"].GetProperty("amount").GetDecimal().ShouldBe(2 * prices.GetProperty("video").GetDecimal() * 12);
        lines["seat.multimedia"].GetProperty("amount").GetDecimal().ShouldBe(prices.GetProperty("multimedia").GetDecimal() * 12);
        lines["number"].GetProperty("unitPrice").GetDecimal().ShouldBe(0m); // own numbers carry no rent
        var subtotal = lines.Values.Where(l => l.Str("item") != "discount").Sum(l => l.GetProperty("amount").GetDecimal());
        lines["discount"].GetProperty("amount").GetDecimal().ShouldBe(-Math.Round(subtotal * discount / 100m, 2));
        quote.GetProperty("total").GetDecimal().ShouldBe(subtotal + lines["discount"].GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task Creating_an_instance_answers_its_order_and_the_tenant_admins_one_time_password()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var body = Commerce.InstanceBody([number], name: "上海客服中心", voice: 2, video: 1, periodMonths: 3);
        var quote = await account.PostAsync<JsonElement>("/api/v1/instances/quote", body);
        var response = await account.SendPostAsync("/api/v1/instances", body);
        ((int)response.StatusCode).ShouldBe(201);
        var created = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/instances/{created.Id()}");
        created.Str("name").ShouldBe("上海客服中心");
        created.Str("status").ShouldBe("active");
        created.GetProperty("numbers").EnumerateArray().Select(n => n.GetString()).ShouldBe([number]);
        var admin = created.GetProperty("tenantAdmin");
        admin.Str("account").ShouldStartWith(account.Account[..10]);
        admin.Str("password").Length.ShouldBeGreaterThanOrEqualTo(8);

        var order = (await account.GetAsync<JsonElement>("/api/v1/orders")).Items().Single();
        order.Id().ShouldBe(created.Str("orderId"));
        order.Str("instanceId").ShouldBe(created.Id());
        order.GetProperty("total").GetDecimal().ShouldBe(quote.GetProperty("total").GetDecimal());
        order.GetProperty("lines").GetArrayLength().ShouldBe(quote.GetProperty("lines").GetArrayLength());
        order.GetProperty("periodMonths").GetInt32().ShouldBe(3);

        var read = await account.GetAsync<JsonElement>($"/api/v1/instances/{created.Id()}");
        read.GetProperty("seats").GetProperty("voice").GetInt32().ShouldBe(2);
        read.GetProperty("tenantAdmin").Str("account").ShouldBe(admin.Str("account"));
        read.GetProperty("tenantAdmin").TryGetProperty("password", out _).ShouldBeFalse();
        var numbers = (await account.GetAsync<JsonElement>("/api/v1/numbers")).Items().Single();
        numbers.Str("instanceId").ShouldBe(created.Id());
        numbers.Str("status").ShouldBe("inUse");
        (await (await app.OperatorAsync()).GetAsync<JsonElement>("/api/v1/audit?action=instance.created&pageSize=200")).Items()
            .ShouldContain(e => e.Str("tenantId") == created.Id());
    }

    [Fact]
    public async Task The_tenant_admin_must_change_the_one_time_password_before_anything_else()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var created = await account.PostAsync<JsonElement>("/api/v1/instances", Commerce.InstanceBody([number]));
        var admin = created.GetProperty("tenantAdmin");

        var login = await app.Anonymous().PostAsync<JsonElement>("/api/v1/auth/login", new { account = admin.Str("account"), password = admin.Str("password") });
        login.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();
        login.Str("tenantId").ShouldBe(created.Id());
        login.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["tenantAdmin"]);

        var first = await app.LoginAsync(admin.Str("account"), admin.Str("password"));
        await (await first.Http.GetAsync("/api/v1/audit")).ShouldBeProblemAsync(403, "passwordChangeRequired");
        await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = admin.Str("password"), newPassword = "Tenant#Admin2026" });

        var changed = await app.LoginAsync(admin.Str("account"), "Tenant#Admin2026");
        var audit = await changed.GetAsync<JsonElement>("/api/v1/audit?pageSize=200");
        audit.Items().ShouldContain(e => e.Str("action") == "instance.created");
        audit.Items().ShouldAllBe(e => e.Str("tenantId") == created.Id());
    }

    [Fact]
    public async Task The_owner_can_issue_a_new_one_time_password_for_the_tenant_admin()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var created = await account.PostAsync<JsonElement>("/api/v1/instances", Commerce.InstanceBody([number]));
        var reset = await account.PostAsync<JsonElement>($"/api/v1/instances/{created.Id()}/tenant-admin/password");
        reset.Str("account").ShouldBe(created.GetProperty("tenantAdmin").Str("account"));
        reset.Str("password").ShouldNotBe(created.GetProperty("tenantAdmin").Str("password"));
        await (await app.Anonymous().SendPostAsync("/api/v1/auth/login",
            new { account = reset.Str("account"), password = created.GetProperty("tenantAdmin").Str("password") })).ShouldBeProblemAsync(401);
        var login = await app.Anonymous().PostAsync<JsonElement>("/api/v1/auth/login", new { account = reset.Str("account"), password = reset.Str("password") });
        login.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();

        var stranger = await app.NewCloudAccountAsync();
        await (await stranger.SendPostAsync($"/api/v1/instances/{created.Id()}/tenant-admin/password")).ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Another_accounts_instances_and_orders_are_not_found()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var created = await account.PostAsync<JsonElement>("/api/v1/instances", Commerce.InstanceBody([number]));
        var (other, _) = await app.NewCommercialAccountAsync();
        await (await other.Http.GetAsync($"/api/v1/instances/{created.Id()}")).ShouldBeProblemAsync(404, "notFound");
        await (await other.Http.GetAsync($"/api/v1/orders/{created.Str("orderId")}")).ShouldBeProblemAsync(404, "notFound");
        (await other.GetAsync<JsonElement>("/api/v1/instances")).GetProperty("total").GetInt32().ShouldBe(0);
        (await other.GetAsync<JsonElement>("/api/v1/orders")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Before_opening_the_service_an_instance_is_refused()
    {
        var account = await app.NewVerifiedAccountAsync();
        var number = await app.DockedNumberAsync(account);
        await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([number]))).ShouldBeProblemAsync(422, "serviceNotOpened");
        (await account.GetAsync<JsonElement>("/api/v1/instances")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task A_frozen_account_cannot_create_an_instance()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var op = await app.OperatorAsync();
        await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{await account.IdAsync()}/freeze", new { reason = "风险" });
        await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([number]))).ShouldBeProblemAsync(422, "accountFrozen");
        (await account.GetAsync<JsonElement>("/api/v1/orders")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Theory]
    [InlineData("seats", "basic", 30, 0, 0, 12, "prepaid")]
    [InlineData("seats", "basic", 0, 0, 0, 12, "prepaid")]
    [InlineData("spec", "giant", 1, 0, 0, 12, "prepaid")]
    [InlineData("billingMode", "basic", 1, 0, 0, 12, "monthly")]
    [InlineData("periodMonths", "basic", 1, 0, 0, 5, "prepaid")]
    public async Task Bad_choices_are_problems_naming_the_field(string field, string spec, int voice, int video, int multimedia, int period, string mode)
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var body = Commerce.InstanceBody([number], spec: spec, voice: voice, video: video, multimedia: multimedia, periodMonths: period, billingMode: mode);
        var problem = await (await account.SendPostAsync("/api/v1/instances", body)).ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        await (await account.SendPostAsync("/api/v1/instances/quote", body)).ShouldBeProblemAsync(400, "validation");
    }

    [Fact]
    public async Task Both_agreements_must_be_accepted()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var problem = await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([number], agree: false))).ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("agreeServiceAgreement", out _).ShouldBeTrue();
        problem.GetProperty("errors").TryGetProperty("agreePrivacyPolicy", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Only_the_callers_docked_or_purchased_free_numbers_can_go_on_an_instance()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var (other, othersNumber) = await app.NewCommercialAccountAsync();

        var notMine = await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([othersNumber]))).ShouldBeProblemAsync(400, "validation");
        notMine.GetProperty("errors").TryGetProperty("numbers", out _).ShouldBeTrue();

        var docking = Commerce.NewNumber();
        await account.PostAsync<JsonElement>("/api/v1/numbers/own", new { number = docking, carrier = "中国电信" });
        var stillDocking = await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([docking]))).ShouldBeProblemAsync(422, "numberNotOrderable");
        stillDocking.GetProperty("errors").GetProperty("numbers")[0].GetString()!.ShouldContain(docking);

        await account.PostAsync<JsonElement>("/api/v1/instances", Commerce.InstanceBody([number]));
        var used = await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([number]))).ShouldBeProblemAsync(422, "numberNotOrderable");
        used.GetProperty("errors").GetProperty("numbers")[0].GetString()!.ShouldContain("already on an instance");

        await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([]))).ShouldBeProblemAsync(400, "validation");
        await (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody(["12ab"]))).ShouldBeProblemAsync(400, "validation");
        (await account.GetAsync<JsonElement>("/api/v1/instances")).GetProperty("total").GetInt32().ShouldBe(1);
        (await other.GetAsync<JsonElement>("/api/v1/instances")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Purchased_numbers_are_orderable_and_their_rent_is_on_the_quote()
    {
        var account = await app.NewVerifiedAccountAsync();
        await account.OpenServiceAsync();
        var request = await account.PostAsync<JsonElement>("/api/v1/numbers/purchase-requests",
            new { requirements = "一个 400 号码", businessDescription = "热线", script = "您好" });
        var number = Commerce.NewNumber();
        await (await app.OperatorAsync()).PostAsync<JsonElement>($"/api/v1/operator/number-requests/{request.Id()}/fulfil",
            new { numbers = new[] { new { number, monthlyRent = 99.5m, perMinute = 0.1m } } });
        var quote = await account.PostAsync<JsonElement>("/api/v1/instances/quote", Commerce.InstanceBody([number], periodMonths: 3));
        var line = quote.GetProperty("lines").EnumerateArray().Single(l => l.Str("item") == "number");
        line.GetProperty("amount").GetDecimal().ShouldBe(298.5m);
        (await account.SendPostAsync("/api/v1/instances", Commerce.InstanceBody([number], periodMonths: 3))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_same_Idempotency_Key_answers_the_first_response_and_creates_nothing_more()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var key = Guid.NewGuid().ToString();
        var first = await PostWithKey(account, Commerce.InstanceBody([number]), key);
        ((int)first.StatusCode).ShouldBe(201);
        var again = await PostWithKey(account, Commerce.InstanceBody([number]), key);
        ((int)again.StatusCode).ShouldBe(201);
        var a = JsonSerializer.Deserialize<JsonElement>(await first.Content.ReadAsStringAsync());
        var b = JsonSerializer.Deserialize<JsonElement>(await again.Content.ReadAsStringAsync());
        b.Id().ShouldBe(a.Id());
        b.Str("orderId").ShouldBe(a.Str("orderId"));
        b.GetProperty("tenantAdmin").Str("password").ShouldBe(a.GetProperty("tenantAdmin").Str("password"));
        again.Headers.Location!.ToString().ShouldBe($"/api/v1/instances/{a.Id()}");
        (await account.GetAsync<JsonElement>("/api/v1/instances")).GetProperty("total").GetInt32().ShouldBe(1);
        (await account.GetAsync<JsonElement>("/api/v1/orders")).GetProperty("total").GetInt32().ShouldBe(1);

        // Without a key, or with a new one, the same body is a new submission (refused here: the number is taken).
        await (await PostWithKey(account, Commerce.InstanceBody([number]), Guid.NewGuid().ToString())).ShouldBeProblemAsync(422, "numberNotOrderable");
        // The key belongs to its account: another account using it gets its own answer.
        var (other, othersNumber) = await app.NewCommercialAccountAsync();
        var theirs = await PostWithKey(other, Commerce.InstanceBody([othersNumber]), key);
        ((int)theirs.StatusCode).ShouldBe(201);
        JsonSerializer.Deserialize<JsonElement>(await theirs.Content.ReadAsStringAsync()).Id().ShouldNotBe(a.Id());
    }

    [Fact]
    public async Task A_refused_request_does_not_use_up_its_Idempotency_Key()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var key = Guid.NewGuid().ToString();
        await (await PostWithKey(account, Commerce.InstanceBody([number], voice: 0, video: 0), key)).ShouldBeProblemAsync(400, "validation");
        ((int)(await PostWithKey(account, Commerce.InstanceBody([number]), key)).StatusCode).ShouldBe(201);
        await (await PostWithKey(account, new { number = Commerce.NewNumber(), carrier = "中国电信" }, key, "/api/v1/numbers/own"))
            .ShouldBeProblemAsync(422, "idempotencyKeyReused");
    }

    private static Task<HttpResponseMessage> PostWithKey(ApiClient account, object body, string key, string path = "/api/v1/instances")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: YunkeApp.Json) };
        request.Headers.Add("Idempotency-Key", key);
        return account.Http.SendAsync(request);
    }
}

public sealed class InstanceApiTestsOnSqlite(SqliteApp app) : InstanceApiTests(app), IClassFixture<SqliteApp>;

public sealed class InstanceApiTestsOnPostgres(PostgresApp app) : InstanceApiTests(app), IClassFixture<PostgresApp>;
