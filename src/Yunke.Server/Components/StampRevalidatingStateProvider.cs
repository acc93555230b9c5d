using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Persistence;
using Yunke.Server.Auth;

namespace Yunke.Server.Components;

/// <summary>
/// A console circuit lives as long as the browser tab; this checks every minute that the account's
/// security stamp is unchanged, so a password change or a freeze also ends open consoles.
/// </summary>
internal sealed class StampRevalidatingStateProvider(ILoggerFactory logs, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(logs)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        var user = state.User;
        if (user.Identity?.IsAuthenticated != true) return true;
        if (!Guid.TryParse(user.FindFirstValue(YunkeClaims.AccountId), out var id)) return false;
        await using var scope = scopes.CreateAsyncScope();
        var stamp = await scope.ServiceProvider.GetRequiredService<YunkeDb>().Set<Account>().AsNoTracking()
            .Where(a => a.Id == id).Select(a => a.SecurityStamp).SingleOrDefaultAsync(ct);
        return stamp is not null && stamp == user.FindFirstValue(YunkeClaims.Stamp);
    }
}
