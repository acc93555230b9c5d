using System.Globalization;

namespace Yunke.Server.Components.Shared;

/// <summary>How the console writes times and money.</summary>
public static class Fmt
{
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Time(DateTime? utc) => utc is { } t ? Time(t) : "—";

    public static string Money(decimal amount) => "¥" + amount.ToString("N2", CultureInfo.InvariantCulture);
}
