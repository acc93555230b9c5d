using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>A browser-like client of the console: signed in through the login form, keeping its cookie.</summary>
public static partial class ConsoleBrowser
{
    public static async Task<HttpClient> ConsoleSignInAsync(this YunkeApp app, string account, string password)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = true });
        var form = await browser.GetStringAsync("/login");
        var token = Antiforgery().Match(form).Groups[1].Value;
        var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "login",
            ["Input.Account"] = account,
            ["Input.Password"] = password,
        }));
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
        return browser;
    }

    /// <summary>Where the console lands when the page is asked for: the page itself, or /denied, or the sign-in page.</summary>
    public static async Task<string> LandsOnAsync(this HttpClient browser, string path) =>
        (await browser.GetAsync(path)).RequestMessage!.RequestUri!.AbsolutePath;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
