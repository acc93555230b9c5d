namespace Yunke.Server.Components;

/// <summary>
/// The console's words: <c>Text.resx</c> is Chinese (the default culture), <c>Text.en.resx</c> English.
/// Every visible string of a page is <c>L["Key"]</c>.
/// </summary>
public sealed class Text;
