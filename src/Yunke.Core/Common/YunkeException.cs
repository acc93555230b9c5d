namespace Yunke.Core.Common;

/// <summary>What went wrong, in the terms the API maps to HTTP status codes.</summary>
public enum Problem
{
    /// <summary>The request itself is malformed or a field is invalid (400).</summary>
    Validation,
    /// <summary>Credentials are wrong or missing (401).</summary>
    Unauthorized,
    /// <summary>The caller may not do this (403).</summary>
    Forbidden,
    /// <summary>Not found, or belongs to someone else (404).</summary>
    NotFound,
    /// <summary>Clashes with existing state: duplicates, an open application (409).</summary>
    Conflict,
    /// <summary>A business rule forbids it in the current state (422).</summary>
    Rule,
    /// <summary>The account is locked out for a while (423).</summary>
    Locked,
    /// <summary>Yunke is at capacity for now; the same request may succeed shortly (503).</summary>
    Unavailable,
}

/// <summary>
/// A refusal by a business rule. Services throw it; the API turns it into RFC 7807 problem
/// details and the console into a message, so every rule is enforced in one place.
/// </summary>
public sealed class YunkeException(Problem problem, string code, string message,
    IReadOnlyDictionary<string, string[]>? errors = null) : Exception(message)
{
    public Problem Problem { get; } = problem;

    /// <summary>A stable, camelCase code that clients can switch on.</summary>
    public string Code { get; } = code;

    /// <summary>Field name to messages, for validation problems.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    public static YunkeException Invalid(string field, string message) =>
        new(Problem.Validation, "validation", message, new Dictionary<string, string[]> { [field] = [message] });

    public static YunkeException NotFound(string what) =>
        new(Problem.NotFound, "notFound", $"{what} was not found.");

    public static YunkeException Conflict(string code, string message) => new(Problem.Conflict, code, message);

    public static YunkeException Rule(string code, string message) => new(Problem.Rule, code, message);

    public static YunkeException Unavailable(string code, string message) => new(Problem.Unavailable, code, message);

    public static YunkeException Forbidden(string message = "You may not do this.") =>
        new(Problem.Forbidden, "forbidden", message);
}
