using System.Globalization;
using Yunke.Core.Offerings;

namespace Yunke.Server.Components.Shared;

/// <summary>How the console writes times and money.</summary>
public static class Fmt
{
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>To the second, for what changes by the minute, such as an agent's state.</summary>
    public static string Moment(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Time(DateTime? utc) => utc is { } t ? Time(t) : "—";

    public static string Money(decimal amount) =>
        (amount < 0 ? "-¥" : "¥") + Math.Abs(amount).ToString("N2", CultureInfo.InvariantCulture);

    /// <summary>A catalog name in the console's language.</summary>
    public static string Name(LocalizedName name) =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "zh" ? name.Zh : name.En;
}
