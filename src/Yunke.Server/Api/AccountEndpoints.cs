using Yunke.Core.Accounts;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Sign-up, login, password change and "who am I" (seed chapter 1, "入驻").</summary>
public static class AccountEndpoints
{
    public sealed record LoginRequest(string? Account, string? Password);
    public sealed record LoginResponse(string AccessToken, string TokenType, int ExpiresIn, bool MustChangePassword,
        IReadOnlyList<string> Roles, Guid? TenantId, Guid AccountId);
    public sealed record PasswordRequest(string? CurrentPassword, string? NewPassword);
    public sealed record AccountView(Guid Id, string Account, string DisplayName, string Kind, IReadOnlyList<string> Roles,
        Guid? TenantId, string Email, string Phone, bool MustChangePassword, bool Frozen, bool Restricted,
        VerificationStatus Verification, string? EnterpriseName, DateTime? CommercialSince, DateTime CreatedAt)
    {
        public static AccountView From(Account a) => new(a.Id, a.Name, a.DisplayName, a.Kind.ToString().ToLowerInvariant(),
            a.Roles, a.TenantId, a.Email, a.Phone, a.MustChangePassword, a.Frozen, a.Restricted, a.Verification,
            a.EnterpriseName, a.CommercialSince, a.CreatedAt);
    }

    public static void MapAccountEndpoints(this RouteGroupBuilder api, RouteGroupBuilder open)
    {
        open.MapPost("/auth/login", async (LoginRequest body, AccountService accounts, TokenIssuer tokens, TimeProvider clock, HttpContext http) =>
        {
            var account = await accounts.SignInAsync(body.Account, body.Password, http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
            return Login(account, tokens, clock);
        }).WithSummary("Sign in with account and password; answers a bearer token.");

        open.MapPost("/signup", async (AccountService.SignUp body, AccountService accounts, HttpContext http) =>
        {
            var account = await accounts.SignUpAsync(body, http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
            return Results.Created($"/api/v1/me", AccountView.From(account));
        }).WithSummary("Create a cloud account.");

        api.MapPost("/auth/password", async (PasswordRequest body, AccountService accounts, TokenIssuer tokens, TimeProvider clock, HttpContext http) =>
        {
            var account = await accounts.ChangePasswordAsync(http.Actor(), body.CurrentPassword, body.NewPassword, http.RequestAborted);
            return Login(account, tokens, clock);
        }).WithSummary("Change your own password; answers a fresh token, since older ones stop working.");

        api.MapGet("/me", async (AccountService accounts, HttpContext http) =>
            AccountView.From(await accounts.GetAsync(http.Actor().AccountId, http.RequestAborted)))
            .WithSummary("The signed-in account.");
    }

    private static LoginResponse Login(Account account, TokenIssuer tokens, TimeProvider clock) =>
        new(tokens.Issue(account, clock.GetUtcNow().UtcDateTime), "Bearer", (int)TokenIssuer.Lifetime.TotalSeconds,
            account.MustChangePassword, account.Roles, account.TenantId, account.Id);
}
