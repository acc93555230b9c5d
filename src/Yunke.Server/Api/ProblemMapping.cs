using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Yunke.Core.Common;
using Yunke.Server.Telephony.Calls;

namespace Yunke.Server.Api;

/// <summary>Turns refusals and malformed requests into RFC 7807 problem details with a stable code.</summary>
public sealed class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var details = exception switch
        {
            YunkeException y => FromRefusal(y),
            BadHttpRequestException bad => Create(StatusCodes.Status400BadRequest, "badRequest", "The request is malformed.",
                bad.InnerException?.Message ?? bad.Message),
            _ => null,
        };
        if (details is null)
        {
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            details = Create(StatusCodes.Status500InternalServerError, "internalError", "Something went wrong on our side.", null);
        }
        http.Response.StatusCode = details.Status!.Value;
        // At capacity (so far only for calls): when to ask again (RFC 9110 10.2.3).
        if (details.Status == StatusCodes.Status503ServiceUnavailable)
            http.Response.Headers.RetryAfter = ((int)CallAdmission.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }

    public static ProblemDetails FromRefusal(YunkeException y)
    {
        var status = y.Problem switch
        {
            Problem.Validation => StatusCodes.Status400BadRequest,
            Problem.Unauthorized => StatusCodes.Status401Unauthorized,
            Problem.Forbidden => StatusCodes.Status403Forbidden,
            Problem.NotFound => StatusCodes.Status404NotFound,
            Problem.Conflict => StatusCodes.Status409Conflict,
            Problem.Rule => StatusCodes.Status422UnprocessableEntity,
            Problem.Locked => StatusCodes.Status423Locked,
            Problem.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status400BadRequest,
        };
        var details = y.Errors.Count > 0
            ? new ValidationProblemDetails(y.Errors.ToDictionary(e => e.Key, e => e.Value)) { Status = status }
            : new ProblemDetails { Status = status };
        details.Title = Title(status);
        details.Detail = y.Message;
        details.Type = TypeFor(y.Code);
        details.Extensions["code"] = y.Code;
        return details;
    }

    public static ProblemDetails Create(int status, string code, string title, string? detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = TypeFor(code),
        Extensions = { ["code"] = code },
    };

    public static string TypeFor(string code) => $"https://yunke.dev/problems/{code}";

    private static string Title(int status) => status switch
    {
        400 => "The request is invalid.",
        401 => "Not signed in.",
        403 => "Not allowed.",
        404 => "Not found.",
        409 => "Conflict.",
        422 => "Refused by a rule.",
        423 => "Locked.",
        503 => "At capacity for now.",
        _ => "Error.",
    };
}
