using System.Text.RegularExpressions;

namespace Yunke.Core.Common;

/// <summary>
/// Collects every field error of one request so the caller learns all of them at once,
/// then throws a single validation problem.
/// </summary>
public sealed partial class Validation
{
    private readonly Dictionary<string, List<string>> errors = [];

    public Validation Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, $"{field} is required.");
        else if (value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
        return this;
    }

    public Validation Optional(string field, string? value, int maxLength = 200)
    {
        if (value is not null && value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
        return this;
    }

    public Validation Email(string field, string? value)
    {
        if (Required(field, value, 254).Has(field)) return this;
        if (!EmailPattern().IsMatch(value!)) Add(field, $"{field} is not a valid e-mail address.");
        return this;
    }

    public Validation Phone(string field, string? value)
    {
        if (Required(field, value, 32).Has(field)) return this;
        if (!PhonePattern().IsMatch(value!)) Add(field, $"{field} must be a phone number: digits, optionally with a leading + and dashes.");
        return this;
    }

    public Validation True(string field, bool value, string message)
    {
        if (!value) Add(field, message);
        return this;
    }

    public Validation Check(string field, bool ok, string message)
    {
        if (!ok) Add(field, message);
        return this;
    }

    public Validation Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public bool Has(string field) => errors.ContainsKey(field);

    public bool IsValid => errors.Count == 0;

    public void ThrowIfInvalid()
    {
        if (IsValid) return;
        var first = errors.First();
        throw new YunkeException(Problem.Validation, "validation",
            errors.Count == 1 ? first.Value[0] : "Some fields are invalid.",
            errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9\- ]{3,30}$")]
    private static partial Regex PhonePattern();
}
