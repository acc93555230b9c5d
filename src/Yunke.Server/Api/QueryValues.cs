using System.Text.Json;
using Yunke.Core.Common;

namespace Yunke.Server.Api;

/// <summary>
/// Query-string values the way the JSON speaks them: enums are camelCase words, matched without
/// regard to case, and an unknown word is a validation problem that lists the known ones.
/// </summary>
public static class QueryValues
{
    public static T? Enum<T>(string? value, string field) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)) return parsed;
        var known = string.Join(", ", System.Enum.GetNames<T>().Select(JsonNamingPolicy.CamelCase.ConvertName));
        throw YunkeException.Invalid(field, $"{field} must be one of: {known}.");
    }
}
