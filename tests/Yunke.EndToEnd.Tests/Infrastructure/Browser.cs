using Microsoft.Playwright;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Headless Debian Chromium (/usr/bin/chromium) driven by Playwright. Playwright's own browser
/// download is never used; its driver (Node.js) ships inside the NuGet package.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;
    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run ./test.sh (it installs Debian's chromium).");
        // Assertions wait as long as actions do: a busy machine may take seconds to answer a click.
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Playwright.CreateAsync();
        Chromium = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // No sandbox as root; no background traffic: this machine has no network beyond loopback.
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        playwright?.Dispose();
    }
}
