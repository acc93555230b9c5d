using System.Collections;
using System.Globalization;
using System.Resources;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yunke.Server.Components;

namespace Yunke.Server.Tests.Console;

/// <summary>Every word a page asks for exists in Chinese and in English, and the two differ where they should.</summary>
public sealed partial class ConsoleTextTests
{
    private static readonly IStringLocalizer<Text> Words = new StringLocalizer<Text>(
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance));

    [Fact]
    public void Every_key_a_page_uses_is_translated_in_both_languages()
    {
        var keys = UsedKeys();
        keys.Count.ShouldBeGreaterThan(100);
        var missing = new List<string>();
        foreach (var culture in new[] { "zh-CN", "en" })
        {
            using var _ = new CultureScope(culture);
            missing.AddRange(keys.Where(k => Words[k].ResourceNotFound).Select(k => $"{culture}: {k}"));
        }
        missing.ShouldBeEmpty();
    }

    [Fact]
    public void The_English_resources_have_every_key_of_the_Chinese_ones()
    {
        // A key missing in English would silently fall back to Chinese.
        var resources = new ResourceManager(typeof(Text).FullName!, typeof(Text).Assembly);
        string[] Keys(CultureInfo c) => resources.GetResourceSet(c, true, false)!.Cast<DictionaryEntry>().Select(e => (string)e.Key).ToArray();
        var chinese = Keys(CultureInfo.InvariantCulture);
        chinese.Length.ShouldBeGreaterThan(100);
        chinese.Except(Keys(new CultureInfo("en"))).ShouldBeEmpty();
    }

    [Fact]
    public void Chinese_is_the_default_and_English_is_English()
    {
        using (new CultureScope("zh-CN")) Words["Nav.Orders"].Value.ShouldBe("我的订单");
        using (new CultureScope("en")) Words["Nav.Orders"].Value.ShouldBe("My orders");
        using (new CultureScope("en")) Words["Problem.accountNameTaken"].Value.ShouldNotContain("账号");
    }

    /// <summary>The literal keys of <c>L["..."]</c> in the console's source.</summary>
    private static List<string> UsedKeys([CallerFilePath] string here = "")
    {
        var components = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../../src/Yunke.Server/Components"));
        return Directory.EnumerateFiles(components, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => LiteralKey().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct().ToList();
    }

    [GeneratedRegex("""L\["([^"{}]+)"[\],]""")]
    private static partial Regex LiteralKey();

    private sealed class CultureScope : IDisposable
    {
        private readonly CultureInfo previous = CultureInfo.CurrentUICulture;

        public CultureScope(string culture) => CultureInfo.CurrentUICulture = new CultureInfo(culture);

        public void Dispose() => CultureInfo.CurrentUICulture = previous;
    }
}
