using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Persistence;
using Yunke.Core.Accounts;
using Yunke.Core.Common;

namespace Yunke.Server.Auth;

/// <summary>The claims Yunke puts in tokens and cookies, and the way back to an <see cref="Actor"/>.</summary>
public static class YunkeClaims
{
    public const string AccountId = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Tenant = "tenant";
    public const string Stamp = "stamp";
    public const string MustChangePassword = "mcp";

    public static IEnumerable<Claim> For(Account account)
    {
        yield return new Claim(AccountId, account.Id.ToString());
        yield return new Claim(Name, account.Name);
        yield return new Claim(Stamp, account.SecurityStamp);
        foreach (var role in account.Roles) yield return new Claim(Role, role);
        if (account.TenantId is { } tenant) yield return new Claim(Tenant, tenant.ToString());
        if (account.MustChangePassword) yield return new Claim(MustChangePassword, "true");
    }

    public static ClaimsPrincipal Principal(Account account, string scheme) =>
        new(new ClaimsIdentity(For(account), scheme, Name, Role));

    public static Actor ToActor(this ClaimsPrincipal user, string? remoteIp)
    {
        var id = Guid.TryParse(user.FindFirstValue(AccountId), out var g) ? g
            : throw new YunkeException(Problem.Unauthorized, "unauthorized", "Sign in first.");
        Guid? tenant = Guid.TryParse(user.FindFirstValue(Tenant), out var t) ? t : null;
        var roles = user.FindAll(Role).Select(c => c.Value).ToArray();
        return new Actor(id, user.FindFirstValue(Name) ?? "", roles, tenant, remoteIp);
    }

    public static Actor Actor(this HttpContext http) =>
        http.User.ToActor(http.Connection.RemoteIpAddress?.ToString());

    /// <summary>
    /// The principal still matches its account: the account exists and its security stamp is the one the
    /// token or cookie carries. Tokens, cookies and open console circuits all ask this one question.
    /// </summary>
    public static async Task<bool> IsCurrentAsync(ClaimsPrincipal? principal, YunkeDb db, CancellationToken ct)
    {
        if (principal is null || !Guid.TryParse(principal.FindFirstValue(AccountId), out var id)) return false;
        var current = await db.Set<Account>().AsNoTracking().Where(a => a.Id == id)
            .Select(a => a.SecurityStamp).SingleOrDefaultAsync(ct);
        return current is not null && current == principal.FindFirstValue(Stamp);
    }
}
