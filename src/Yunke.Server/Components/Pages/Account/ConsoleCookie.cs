using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Yunke.Server.Auth;

namespace Yunke.Server.Components.Pages.Account;

/// <summary>Issues the console's cookie; again after a password change, since the security stamp changed.</summary>
internal static class ConsoleCookie
{
    private const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static Task IssueAsync(HttpContext http, Core.Accounts.Account account) =>
        http.SignInAsync(Scheme, YunkeClaims.Principal(account, Scheme));

    /// <summary>Where a freshly signed-in account goes: the password page while its password is a one-time one.</summary>
    public static string Landing(Core.Accounts.Account account, string? returnUrl) =>
        account.MustChangePassword ? ConsoleSetup.PasswordPath : ConsoleSetup.LocalOrHome(returnUrl);
}
