using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Yunke.Core.Accounts;
using Yunke.Core.Persistence;

namespace Yunke.Server.Auth;

/// <summary>
/// Bearer tokens for the REST API, a cookie for the console. Both carry the account's security
/// stamp and are refused once it changes (password changed, account frozen or instance ended).
/// </summary>
public static class AuthSetup
{
    public const string ApiPolicy = "api";
    private const string DefaultScheme = "yunke";

    public static IServiceCollection AddYunkeAuth(this IServiceCollection services, TokenIssuer issuer)
    {
        services.AddSingleton(issuer);
        // The default picks the bearer token when one is sent and the console's cookie otherwise;
        // API endpoints accept only the bearer token, so a cookie can never be replayed against them.
        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, DefaultScheme, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = TokenIssuer.Issuer,
                    ValidAudience = TokenIssuer.Issuer,
                    IssuerSigningKey = issuer.SigningKey,
                    NameClaimType = YunkeClaims.Name,
                    RoleClaimType = YunkeClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on a WebSocket, so the event streams also take ?access_token=.
                    OnMessageReceived = ctx =>
                    {
                        if (ctx.Request.Path.Value?.EndsWith("/events", StringComparison.Ordinal) == true
                            && ctx.Request.Query.TryGetValue("access_token", out var token))
                            ctx.Token = token;
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async ctx =>
                    {
                        if (!await IsCurrentAsync(ctx.HttpContext, ctx.Principal)) ctx.Fail("The token is no longer valid.");
                    },
                };
            })
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "yunke";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = async ctx =>
                    {
                        if (await IsCurrentAsync(ctx.HttpContext, ctx.Principal)) return;
                        ctx.RejectPrincipal();
                        await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    },
                };
            });
        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, PermissionHandler>();
        services.AddAuthorizationBuilder()
            .AddPermissionPolicies()
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        return services;
    }

    private static Task<bool> IsCurrentAsync(HttpContext http, ClaimsPrincipal? principal) =>
        YunkeClaims.IsCurrentAsync(principal, http.RequestServices.GetRequiredService<YunkeDb>(), http.RequestAborted);
}
