using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests;

/// <summary>The built server starts on its own and its pages render in a real browser.</summary>
public sealed class SmokeTests(YunkeServer server, Browser browser, ITestOutputHelper log) : EndToEndTest(server, browser, log)
{
    [Fact]
    public async Task The_operator_signs_in_through_the_api_of_the_running_server()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { account = "operator", password = YunkeServer.OperatorPassword });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue(body.ToString());
        body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldContain("operator");
        body.GetProperty("accessToken").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task The_api_reference_renders_the_openapi_document()
    {
        var response = await Page.GotoAsync("/docs");
        response!.Ok.ShouldBeTrue();
        // The reference is drawn by script from /openapi/v1.json: wait for an operation of api-v1.md to appear.
        await Page.GetByText("/api/v1/auth/login").First.WaitForAsync();
        await ScreenshotAsync("api-reference", fullPage: false);
    }

    [Fact]
    public async Task The_console_opens_on_its_sign_in_page_in_chinese()
    {
        var response = await Page.GotoAsync("/");
        response!.Ok.ShouldBeTrue();
        new Uri(Page.Url).AbsolutePath.ShouldBe("/login");
        await Page.GetByTestId("login-submit").WaitForAsync();
        (await Page.GetAttributeAsync("html", "lang")).ShouldBe("zh-CN");
        await ScreenshotAsync("console-login");
    }
}
