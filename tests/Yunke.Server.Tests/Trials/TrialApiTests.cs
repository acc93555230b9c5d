using System.Net;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Trials;

/// <summary>Free trial (seed chapter 2) and commercial use, which ends it (chapter 3).</summary>
public abstract class TrialApiTests(YunkeApp app)
{
    private static object Application(bool agree = true) => new
    {
        company = "杭州云客科技有限公司", contactName = "王五", contactPhone = "13912345678", email = "wang@example.cn", agreePrivacyPolicy = agree,
    };

    [Fact]
    public async Task A_verified_account_applies_and_approval_provisions_a_trial_instance()
    {
        var account = await app.NewVerifiedAccountAsync();
        var response = await account.SendPostAsync("/api/v1/me/trial-applications", Application());
        ((int)response.StatusCode).ShouldBe(201);
        var application = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        application.Str("status").ShouldBe("submitted");
        (await account.GetAsync<JsonElement>("/api/v1/me/trial-applications")).Items().Single().Id().ShouldBe(application.Id());

        var op = await app.OperatorAsync();
        (await op.GetAsync<JsonElement>("/api/v1/operator/trial-applications?status=submitted&pageSize=200")).Items()
            .ShouldContain(a => a.Id() == application.Id());
        var approved = await op.PostAsync<JsonElement>($"/api/v1/operator/trial-applications/{application.Id()}/approve");
        approved.Str("status").ShouldBe("approved");
        var instanceId = approved.Str("instanceId");

        var instance = await account.GetAsync<JsonElement>($"/api/v1/instances/{instanceId}");
        instance.GetProperty("isTrial").GetBoolean().ShouldBeTrue();
        instance.Str("status").ShouldBe("active");
        var offer = (await app.Anonymous().GetAsync<JsonElement>("/api/v1/offerings")).GetProperty("trial");
        instance.GetProperty("seats").GetProperty("voice").GetInt32().ShouldBe(offer.GetProperty("voiceSeats").GetInt32());
        instance.GetProperty("seats").GetProperty("video").GetInt32().ShouldBe(offer.GetProperty("videoSeats").GetInt32());
        (instance.GetProperty("expiresAt").GetDateTime() - instance.GetProperty("createdAt").GetDateTime())
            .ShouldBe(TimeSpan.FromDays(offer.GetProperty("days").GetInt32()));
        var experience = (await account.GetAsync<JsonElement>("/api/v1/numbers")).Items().Single();
        experience.Str("kind").ShouldBe("experience");
        experience.Str("instanceId").ShouldBe(instanceId);
        instance.GetProperty("numbers").EnumerateArray().Select(n => n.GetString()).ShouldBe([experience.Str("number")]);
        (await op.GetAsync<JsonElement>("/api/v1/audit?action=trial.approved&pageSize=200")).Items().ShouldContain(e => e.Str("tenantId") == instanceId);

        await (await op.SendPostAsync($"/api/v1/operator/trial-applications/{application.Id()}/approve")).ShouldBeProblemAsync(409, "applicationClosed");
        await (await account.SendPostAsync("/api/v1/me/trial-applications", Application())).ShouldBeProblemAsync(409, "trialAlreadyGranted");
    }

    [Fact]
    public async Task An_unverified_account_may_not_apply()
    {
        var account = await app.NewCloudAccountAsync();
        await (await account.SendPostAsync("/api/v1/me/trial-applications", Application())).ShouldBeProblemAsync(422, "notVerified");
    }

    [Fact]
    public async Task Frozen_or_restricted_accounts_may_not_apply()
    {
        var op = await app.OperatorAsync();
        var frozen = await app.NewVerifiedAccountAsync();
        await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{await frozen.IdAsync()}/freeze", new { reason = "风险" });
        await (await frozen.SendPostAsync("/api/v1/me/trial-applications", Application())).ShouldBeProblemAsync(422, "accountFrozen");

        var restricted = await app.NewVerifiedAccountAsync();
        await op.PostAsync<JsonElement>($"/api/v1/operator/accounts/{await restricted.IdAsync()}/restrict", new { reason = "投诉" });
        await (await restricted.SendPostAsync("/api/v1/me/trial-applications", Application())).ShouldBeProblemAsync(422, "accountRestricted");
        (await restricted.GetAsync<JsonElement>("/api/v1/me/trial-applications")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task The_privacy_policy_must_be_agreed_and_fields_valid()
    {
        var account = await app.NewVerifiedAccountAsync();
        var problem = await (await account.SendPostAsync("/api/v1/me/trial-applications", Application(agree: false))).ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("agreePrivacyPolicy", out _).ShouldBeTrue();
        var fields = await (await account.SendPostAsync("/api/v1/me/trial-applications",
            new { company = "", contactName = "王五", contactPhone = "abc", email = "nope", agreePrivacyPolicy = true })).ShouldBeProblemAsync(400, "validation");
        foreach (var field in new[] { "company", "contactPhone", "email" }) fields.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(field);
    }

    [Fact]
    public async Task One_open_application_at_a_time_and_a_rejection_allows_another()
    {
        var account = await app.NewVerifiedAccountAsync();
        var first = await account.PostAsync<JsonElement>("/api/v1/me/trial-applications", Application());
        await (await account.SendPostAsync("/api/v1/me/trial-applications", Application())).ShouldBeProblemAsync(409, "applicationOpen");

        var op = await app.OperatorAsync();
        await (await op.SendPostAsync($"/api/v1/operator/trial-applications/{first.Id()}/reject", new { reason = " " })).ShouldBeProblemAsync(400, "validation");
        var rejected = await op.PostAsync<JsonElement>($"/api/v1/operator/trial-applications/{first.Id()}/reject", new { reason = "信息不全" });
        rejected.Str("status").ShouldBe("rejected");
        rejected.Str("reason").ShouldBe("信息不全");
        ((int)(await account.SendPostAsync("/api/v1/me/trial-applications", Application())).StatusCode).ShouldBe(201);
    }

    [Fact]
    public async Task Only_the_operator_reviews_applications()
    {
        var account = await app.NewVerifiedAccountAsync();
        var application = await account.PostAsync<JsonElement>("/api/v1/me/trial-applications", Application());
        (await account.Http.GetAsync("/api/v1/operator/trial-applications")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await account.SendPostAsync($"/api/v1/operator/trial-applications/{application.Id()}/approve")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var other = await app.NewVerifiedAccountAsync();
        (await other.GetAsync<JsonElement>("/api/v1/me/trial-applications")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Opening_the_service_needs_both_agreements_and_twice_is_harmless()
    {
        var account = await app.NewCloudAccountAsync();
        var problem = await (await account.SendPostAsync("/api/v1/me/service", new { agreeServiceAgreement = true, agreePrivacyPolicy = false }))
            .ShouldBeProblemAsync(400, "validation");
        problem.GetProperty("errors").TryGetProperty("agreePrivacyPolicy", out _).ShouldBeTrue();
        (await account.GetAsync<JsonElement>("/api/v1/me")).GetProperty("commercialSince").ValueKind.ShouldBe(JsonValueKind.Null);

        var opened = await account.OpenServiceAsync();
        var since = opened.GetProperty("commercialSince").GetDateTime();
        var again = await account.OpenServiceAsync();
        // PostgreSQL keeps microseconds, so the stored time may differ from the first answer below that.
        again.GetProperty("commercialSince").GetDateTime().ShouldBe(since, TimeSpan.FromMilliseconds(1));
        (await (await app.OperatorAsync()).GetAsync<JsonElement>("/api/v1/audit?action=service.opened&pageSize=200")).Items()
            .Count(e => e.Str("target") == account.Account).ShouldBe(1);
        await (await account.SendPostAsync("/api/v1/me/trial-applications", Application())).ShouldBeProblemAsync(422);
    }

    /// <summary>Seed chapters 1–3 end to end: sign-up → verify → trial → service (the trial ends) → own number → instance → order → admin's first login.</summary>
    [Fact]
    public async Task The_whole_path_from_sign_up_to_a_commercial_instance()
    {
        var account = await app.NewCloudAccountAsync();
        await app.VerifyAsync(account);
        var application = await account.PostAsync<JsonElement>("/api/v1/me/trial-applications", Application());
        var op = await app.OperatorAsync();
        var trialId = (await op.PostAsync<JsonElement>($"/api/v1/operator/trial-applications/{application.Id()}/approve")).Str("instanceId");

        // The trial's admin credentials reach the owner as a one-time password; the admin signs in and works.
        var trialAdmin = await account.PostAsync<JsonElement>($"/api/v1/instances/{trialId}/tenant-admin/password");
        var first = await app.LoginAsync(trialAdmin.Str("account"), trialAdmin.Str("password"));
        var changed = await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = trialAdmin.Str("password"), newPassword = "Trial#Admin2026" });
        var trialClient = app.CreateClient();
        trialClient.DefaultRequestHeaders.Authorization = new("Bearer", changed.Str("accessToken"));
        (await trialClient.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Commercial use ends the trial: instance ended, experience number released, its admin locked out.
        await account.OpenServiceAsync();
        var trial = await account.GetAsync<JsonElement>($"/api/v1/instances/{trialId}");
        trial.Str("status").ShouldBe("ended");
        (await account.GetAsync<JsonElement>("/api/v1/numbers")).Items().Single(n => n.Str("kind") == "experience").Str("status").ShouldBe("released");
        (await trialClient.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await (await app.Anonymous().SendPostAsync("/api/v1/auth/login", new { account = trialAdmin.Str("account"), password = "Trial#Admin2026" }))
            .ShouldBeProblemAsync(422, "instanceNotActive");
        await (await account.SendPostAsync($"/api/v1/instances/{trialId}/tenant-admin/password")).ShouldBeProblemAsync(422, "instanceNotActive");

        // Own number, docked by the operator, then the wizard.
        var number = Commerce.NewNumber();
        var own = await account.PostAsync<JsonElement>("/api/v1/numbers/own", new { number, carrier = "中国移动" });
        own.Str("dockingStatus").ShouldBe("docking");
        (await op.PostAsync<JsonElement>($"/api/v1/operator/own-numbers/{own.Id()}/complete")).Str("dockingStatus").ShouldBe("completed");
        var body = Commerce.InstanceBody([number], name: "正式客服中心", spec: "standard", voice: 5, video: 2, multimedia: 3, periodMonths: 12);
        var quote = await account.PostAsync<JsonElement>("/api/v1/instances/quote", body);
        quote.GetProperty("total").GetDecimal().ShouldBeGreaterThan(0);
        var instance = await account.PostAsync<JsonElement>("/api/v1/instances", body);
        instance.Str("status").ShouldBe("active");
        var order = (await account.GetAsync<JsonElement>("/api/v1/orders")).Items().Single();
        order.Id().ShouldBe(instance.Str("orderId"));
        order.GetProperty("total").GetDecimal().ShouldBe(quote.GetProperty("total").GetDecimal());
        (await account.GetAsync<JsonElement>("/api/v1/instances")).GetProperty("total").GetInt32().ShouldBe(2);

        // The new instance's tenant admin: one-time password, the gate, the change, then it works.
        var admin = instance.GetProperty("tenantAdmin");
        var login = await app.Anonymous().PostAsync<JsonElement>("/api/v1/auth/login", new { account = admin.Str("account"), password = admin.Str("password") });
        login.GetProperty("mustChangePassword").GetBoolean().ShouldBeTrue();
        var gated = await app.LoginAsync(admin.Str("account"), admin.Str("password"));
        await (await gated.Http.GetAsync("/api/v1/audit")).ShouldBeProblemAsync(403, "passwordChangeRequired");
        await gated.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = admin.Str("password"), newPassword = "Prod#Admin2026" });
        var working = await app.LoginAsync(admin.Str("account"), "Prod#Admin2026");
        (await working.GetAsync<JsonElement>("/api/v1/audit")).Items().ShouldAllBe(e => e.Str("tenantId") == instance.Id());
        (await working.GetAsync<JsonElement>("/api/v1/me")).Str("tenantId").ShouldBe(instance.Id());
    }
}

public sealed class TrialApiTestsOnSqlite(SqliteApp app) : TrialApiTests(app), IClassFixture<SqliteApp>;

public sealed class TrialApiTestsOnPostgres(PostgresApp app) : TrialApiTests(app), IClassFixture<PostgresApp>;
