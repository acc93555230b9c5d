using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>
/// An account with a one-time password may only change it (and read who it is) until it does;
/// every other API call answers 403 <c>passwordChangeRequired</c>.
/// </summary>
public static class PasswordChangeGate
{
    private static readonly string[] Allowed = ["/api/v1/auth/password", "/api/v1/me", "/api/v1/auth/login"];

    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/api")
            && http.User.HasClaim(YunkeClaims.MustChangePassword, "true")
            && !Allowed.Any(p => http.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await Results.Problem(ProblemMapping.Create(403, "passwordChangeRequired", "Change your password first.",
                "This account has a one-time password: change it with POST /api/v1/auth/password.")).ExecuteAsync(http);
            return;
        }
        await next(http);
    });
}
