using MudBlazor;

namespace Yunke.Server.Components.Layout;

public static class ConsoleTheme
{
    private static readonly string[] Fonts =
        ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Roboto", "Helvetica", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d63d8",
            Secondary = "#0f9d8a",
            AppbarBackground = "#16325c",
            Background = "#f5f7fb",
            DrawerBackground = "#ffffff",
        },
        // Chinese has no capitals; English buttons read better in sentence case too.
        Typography = new Typography { Default = new DefaultTypography { FontFamily = Fonts }, Button = new ButtonTypography { TextTransform = "none" } },
    };
}
