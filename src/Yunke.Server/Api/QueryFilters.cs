using Yunke.Core.Common;

namespace Yunke.Server.Api;

/// <summary>Reads optional query-string filters, refusing unknown values with a problem that names the parameter.</summary>
public static class QueryFilters
{
    public static T? Enum<T>(string name, string? value) where T : struct, System.Enum
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)) return parsed;
        var allowed = System.Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]);
        throw YunkeException.Invalid(name, $"{name} must be one of: {string.Join(", ", allowed)}.");
    }
}
