using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;
using Yunke.Core.Calls;
using Yunke.Server.Auth;

namespace Yunke.Server.Components;

/// <summary>
/// The web console: Blazor (interactive server) with MudBlazor, in Chinese by default and English.
/// Pages call the Core services directly, under the same rules as the API.
/// </summary>
public static class ConsoleSetup
{
    public const string CultureCookie = ".Yunke.Culture";
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static IServiceCollection AddYunkeConsole(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, StampRevalidatingStateProvider>();
        services.AddLocalization();
        services.AddMudServices();
        return services;
    }

    /// <summary>
    /// Chinese unless the visitor chose otherwise with the switcher; the browser's language is
    /// deliberately not consulted, so the console opens in Chinese for everyone.
    /// </summary>
    public static IApplicationBuilder UseConsoleCulture(this IApplicationBuilder app) =>
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            o.SupportedCultures = o.SupportedUICultures = Cultures;
            o.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = CultureCookie }];
        });

    /// <summary>
    /// An account holding a one-time password sees nothing but the password page until it changes it
    /// (the API has its own gate answering 403). Interactive navigation is caught by the main layout.
    /// </summary>
    public static IApplicationBuilder UseConsolePasswordGate(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var path = http.Request.Path;
        if (HttpMethods.IsGet(http.Request.Method)
            && http.User.HasClaim(YunkeClaims.MustChangePassword, "true")
            && !path.StartsWithSegments("/api") && !path.StartsWithSegments("/_blazor")
            && !path.StartsWithSegments("/_framework") && !path.StartsWithSegments("/_content")
            && !Path.HasExtension(path.Value)
            && !Allowed.Any(p => path.StartsWithSegments(p)))
        {
            http.Response.Redirect(PasswordPath);
            return;
        }
        await next(http);
    });

    public const string PasswordPath = "/account/password";
    public const string RecordingPath = "/console/recordings/";
    private static readonly string[] Allowed = [PasswordPath, "/logout", "/culture", "/healthz", "/openapi", "/docs"];

    public static void MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        // The switcher's target: remembers the language for a year and goes back to the page.
        app.MapGet("/culture", (string? c, string? r, HttpContext http) =>
        {
            var culture = Cultures.FirstOrDefault(x => x.Name.Equals(c, StringComparison.OrdinalIgnoreCase)) ?? Cultures[0];
            http.Response.Cookies.Append(CultureCookie,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            return Results.LocalRedirect(LocalOrHome(r));
        }).ExcludeFromDescription();

        // The console plays recordings with the cookie it signs in with; the REST path takes bearer tokens only.
        app.MapGet(RecordingPath + "{id:guid}", async (Guid id, CallService calls, HttpContext http) =>
                TypedResults.PhysicalFile(await calls.RecordingPathAsync(http.Actor(), id, http.RequestAborted), "audio/wav", $"{id}.wav",
                    enableRangeProcessing: true))
            .RequireAuthorization(PermissionAuthorization.CallRecordsPolicy).ExcludeFromDescription();

        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http)) return Results.BadRequest();
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();
    }

    /// <summary>Only paths of this site, never another host (no open redirect).</summary>
    public static string LocalOrHome(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\") ? url : "/";
}
