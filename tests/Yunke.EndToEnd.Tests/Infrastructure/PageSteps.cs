using Microsoft.Playwright;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>What a person does on a console page, found by the pages' <c>data-testid</c> attributes.</summary>
public static class PageSteps
{
    /// <summary>The text box of a field, whether the test id sits on the input itself (plain forms) or on a MudBlazor wrapper.</summary>
    public static ILocator Field(this IPage page, string testId) => page.Locator(
        $"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea").First;

    public static Task FillByTestIdAsync(this IPage page, string testId, string value) => page.Field(testId).FillAsync(value);

    /// <summary>Ticks a check box, whether the test id sits on the input or on its MudBlazor wrapper.</summary>
    public static Task CheckByTestIdAsync(this IPage page, string testId) => page.Locator(
        $"input[type=checkbox][data-testid='{testId}'], [data-testid='{testId}'] input[type=checkbox]").First.CheckAsync();

    /// <summary>A status chip's machine-readable status (its <c>data-status</c>), once it has the expected one.</summary>
    public static Task HasStatusAsync(this IPage page, string testId, string status) =>
        Assertions.Expect(page.GetByTestId(testId).First).ToHaveAttributeAsync("data-status", status);

    public static Task ClickByTestIdAsync(this IPage page, string testId) => page.GetByTestId(testId).First.ClickAsync();

    /// <summary>Waits until the element is there; the console renders a page only once it is interactive.</summary>
    public static Task ShowsAsync(this IPage page, string testId) => page.GetByTestId(testId).First.WaitForAsync();

    /// <summary>
    /// Opens a MudSelect (it opens on a mouse-down on its input wrapper; the test id sits on the input) and picks
    /// the option showing the text; a multi-select stays open for more picks until <see cref="CloseMenusAsync"/>.
    /// </summary>
    public static async Task ChooseAsync(this IPage page, string testId, string optionText)
    {
        var options = page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = optionText });
        if (await options.CountAsync() == 0)
            await page.Locator(".mud-input").Filter(new() { Has = page.Locator($"[data-testid='{testId}']") }).First.ClickAsync();
        await options.First.ClickAsync();
    }

    public static Task CloseMenusAsync(this IPage page) => page.Keyboard.PressAsync("Escape");

    /// <summary>Signs in through the console's sign-in page and waits to leave it.</summary>
    public static async Task SignInAsync(this IPage page, string account, string password)
    {
        await page.GotoAsync("/login");
        await page.FillByTestIdAsync("login-account", account);
        await page.FillByTestIdAsync("login-password", password);
        await page.ClickByTestIdAsync("login-submit");
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/login"));
    }
}
