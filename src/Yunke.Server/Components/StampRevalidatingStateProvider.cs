using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
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
        await using var scope = scopes.CreateAsyncScope();
        return await YunkeClaims.IsCurrentAsync(user, scope.ServiceProvider.GetRequiredService<YunkeDb>(), ct);
    }
}
