using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>All end-to-end tests share one running server and one browser, and run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<YunkeServer>, ICollectionFixture<Browser>
{
    public const string Name = "End to end";
}

/// <summary>
/// A test with its own browser context (own cookies) and page on the running server. What the
/// page logged and the tail of the server's output go to the test's output, for a failing test.
/// </summary>
[Collection(EndToEndCollection.Name)]
public abstract class EndToEndTest(YunkeServer server, Browser browser, ITestOutputHelper log) : IAsyncLifetime
{
    private readonly List<IBrowserContext> contexts = [];
    private int shot;

    protected YunkeServer Server => server;
    protected ITestOutputHelper Log => log;
    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync() => Page = await NewPageAsync();

    /// <summary>A page in a fresh browser context: another person at another computer.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var context = await browser.Chromium.NewContextAsync(new()
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new() { Width = 1366, Height = 900 },
            Locale = "zh-CN",
        });
        // Each step waits for what the page shows; allow for a busy machine (CI shares two cores).
        context.SetDefaultTimeout(30_000);
        contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") Write($"[browser {m.Type}] {m.Text}"); };
        page.PageError += (_, e) => Write($"[page error] {e}");
        return page;
    }

    /// <summary>Saves TestResults/screenshots/{test class}/{nn}-{step}.png, a test artifact.</summary>
    protected async Task ScreenshotAsync(string step, IPage? page = null, bool fullPage = true)
    {
        var dir = Path.Combine(Artifacts.Screenshots, GetType().Name);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"{++shot:00}-{step}.png");
        // Generous: on a busy machine a tall page takes a while to paint.
        await (page ?? Page).ScreenshotAsync(new() { Path = file, FullPage = fullPage, Timeout = 60_000 });
        Write($"screenshot: {file}");
    }

    public async Task DisposeAsync()
    {
        foreach (var context in contexts) await context.DisposeAsync();
        var lines = server.Output.Split('\n');
        Write($"--- server output (last {Math.Min(lines.Length, 80)} lines) ---\n{string.Join('\n', lines.TakeLast(80))}");
    }

    private void Write(string text)
    {
        try { log.WriteLine(text); } catch (InvalidOperationException) { /* the test has already finished */ }
    }
}

public static class Artifacts
{
    /// <summary>TestResults/ at the root of the repository (next to Yunke.slnx), where test.sh keeps the reports.</summary>
    public static string Root { get; } = FindRoot();
    public static string Screenshots => Path.Combine(Root, "TestResults", "screenshots");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Yunke.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
