using Microsoft.Extensions.Localization;
using Yunke.Core.Common;

namespace Yunke.Server.Components.Shared;

/// <summary>
/// The refusal last met on a page: its message and its messages per field. Core speaks English;
/// a message with a translation in the resources is shown translated, any other as it is.
/// </summary>
public sealed class FormErrors
{
    private Dictionary<string, string[]> fields = [];

    public string? Message { get; private set; }
    public string? Code { get; private set; }

    public void Set(YunkeException refusal, IStringLocalizer<Text> words)
    {
        Code = refusal.Code;
        var byCode = words[$"Problem.{refusal.Code}"];
        Message = byCode.ResourceNotFound ? words[refusal.Message] : byCode;
        fields = refusal.Errors.ToDictionary(e => e.Key, e => e.Value.Select(m => words[m].Value).ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    public void Clear()
    {
        Message = Code = null;
        fields = [];
    }

    public bool Has(string field) => fields.ContainsKey(field);

    public bool HasFields => fields.Count > 0;

    /// <summary>The messages for one field, one per line, or null.</summary>
    public string? For(string field) => fields.TryGetValue(field, out var m) ? string.Join(" ", m) : null;

    /// <summary>Field errors of fields the form does not show, so none is lost.</summary>
    public IEnumerable<string> Unplaced(IEnumerable<string> shown) =>
        fields.Where(f => !shown.Contains(f.Key, StringComparer.OrdinalIgnoreCase)).SelectMany(f => f.Value);
}
