using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Console;

/// <summary>
/// The console's static forms (sign-in, sign-up, password change) over real HTTP: cookies, the
/// antiforgery token, redirects, and the gate that holds a one-time password holder on the password page.
/// The console runs on SQLite only; the API tests cover both databases.
/// </summary>
public sealed partial class ConsoleSignInTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Pages_send_an_anonymous_visitor_to_the_login_page()
    {
        var browser = Browser();
        var response = await browser.GetAsync("/instances/new");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Target().ShouldContain("/login?ReturnUrl=%2Finstances%2Fnew");
    }

    [Fact]
    public async Task Login_with_a_wrong_password_stays_on_the_form_with_the_error_and_no_cookie()
    {
        var browser = Browser();
        var page = await SubmitAsync(browser, "/login", "login", new() { ["Input.Account"] = "operator", ["Input.Password"] = "Wrong#Pass2026" });
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        html.ShouldContain("data-testid=\"login-error\"");
        html.ShouldContain("账号或密码错误"); // Chinese is the default language
        (await browser.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Sign_up_through_the_form_signs_in_and_the_console_answers()
    {
        var browser = Browser();
        var name = $"web{Guid.NewGuid():N}"[..16];
        var done = await SubmitAsync(browser, "/signup", "signup", new()
        {
            ["Input.Account"] = name, ["Input.Password"] = "Web#Pass2026", ["Input.Confirm"] = "Web#Pass2026",
            ["Input.Email"] = $"{name}@example.cn", ["Input.Phone"] = "13800138000",
        });
        done.StatusCode.ShouldBe(HttpStatusCode.Redirect, await done.Content.ReadAsStringAsync());
        done.Target().ShouldBe("/");
        (await browser.GetAsync("/verification")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.LoginAsync(name, "Web#Pass2026")).Token.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Sign_up_shows_each_refused_field_next_to_it()
    {
        var page = await SubmitAsync(Browser(), "/signup", "signup", new()
        {
            ["Input.Account"] = "x", ["Input.Password"] = "short", ["Input.Confirm"] = "short", ["Input.Email"] = "not-mail", ["Input.Phone"] = "13800138000",
        });
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("data-testid=\"signup-account-error\"");
        html.ShouldContain("data-testid=\"signup-password-error\"");
        html.ShouldContain("data-testid=\"signup-email-error\"");
        html.ShouldNotContain("data-testid=\"signup-phone-error\"");
    }

    [Fact]
    public async Task A_tenant_admin_with_a_one_time_password_must_change_it_before_any_page_then_gets_a_fresh_cookie()
    {
        var (account, number) = await app.NewCommercialAccountAsync();
        var instance = await account.PostAsync<JsonElement>("/api/v1/instances", Commerce.InstanceBody([number]));
        var admin = instance.GetProperty("tenantAdmin");
        var (adminName, oneTime) = (admin.Str("account"), admin.Str("password"));

        var browser = Browser();
        var login = await SubmitAsync(browser, "/login", "login", new() { ["Input.Account"] = adminName, ["Input.Password"] = oneTime });
        login.Target().ShouldBe("/account/password");
        var held = await browser.GetAsync("/tenant");
        held.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        held.Target().ShouldBe("/account/password");

        var refused = await SubmitAsync(browser, "/account/password", "password",
            new() { ["Input.Current"] = oneTime, ["Input.New"] = "Tenant#Admin2026", ["Input.Confirm"] = "Tenant#Other2026" });
        (await refused.Content.ReadAsStringAsync()).ShouldContain("data-testid=\"password-confirm-error\"");

        var changed = await SubmitAsync(browser, "/account/password", "password",
            new() { ["Input.Current"] = oneTime, ["Input.New"] = "Tenant#Admin2026", ["Input.Confirm"] = "Tenant#Admin2026" });
        changed.StatusCode.ShouldBe(HttpStatusCode.Redirect, await changed.Content.ReadAsStringAsync());
        (await browser.GetAsync("/tenant")).StatusCode.ShouldBe(HttpStatusCode.OK); // the re-issued cookie works
        (await app.LoginAsync(adminName, "Tenant#Admin2026")).Token.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task The_language_switch_remembers_English_and_goes_back_only_to_this_site()
    {
        var browser = Browser();
        var switched = await browser.GetAsync("/culture?c=en&r=/login");
        switched.Target().ShouldBe("/login");
        (await (await browser.GetAsync("/login")).Content.ReadAsStringAsync()).ShouldContain("Sign in to the console");
        (await Browser().GetAsync("/culture?c=en&r=//evil.example")).Target().ShouldBe("/");
    }

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    private HttpClient Browser() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Loads a form page and posts it back with its antiforgery token, as a browser does.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string path, string form, Dictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(path);
        var token = AntiforgeryToken().Match(page);
        token.Success.ShouldBeTrue(page);
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        fields["_handler"] = form;
        return await browser.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

internal static class RedirectExtensions
{
    /// <summary>Where a redirect points, as a path of this site.</summary>
    public static string Target(this HttpResponseMessage response) =>
        response.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : response.Headers.Location?.ToString() ?? "";
}
