using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Common;
using Yunke.Core.Instances;

namespace Yunke.Core.Accounts;

public sealed partial class AccountService
{
    /// <summary>
    /// Adds (unsaved) the tenant admin of a new instance: a generated, platform-unique name derived from the
    /// owner's, and a one-time password the owner hands on and the admin must change at first sign-in.
    /// </summary>
    internal async Task<(Account Admin, string Password)> AddTenantAdminAsync(Guid tenantId, Account owner, CancellationToken ct)
    {
        var prefix = new string(owner.Name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.').Take(40).ToArray());
        if (prefix.Length == 0 || !char.IsAsciiLetterOrDigit(prefix[0])) prefix = "t" + prefix;
        string name;
        do name = $"{prefix}-admin-{RandomSuffix()}";
        while (await db.Set<Account>().AnyAsync(a => a.NormalizedName == Account.Normalize(name), ct));

        var admin = new Account
        {
            Name = name,
            DisplayName = "Tenant administrator",
            Kind = AccountKind.Staff,
            Roles = [Roles.TenantAdmin],
            TenantId = tenantId,
            OrganizationId = tenantId, // the default organisation shares the tenant's id
            OwnerAccountId = owner.Id,
            Email = owner.Email,
            Phone = owner.Phone,
            CreatedAt = Now,
        };
        admin.SetNormalizedName();
        var password = OneTimePassword.Generate();
        SetPassword(admin, password, mustChange: true);
        db.Add(admin);
        return (admin, password);
    }

    /// <summary>Gives an account a fresh one-time password (unsaved); its old tokens stop working.</summary>
    internal string ResetToOneTimePassword(Account account)
    {
        var password = OneTimePassword.Generate();
        SetPassword(account, password, mustChange: true);
        return password;
    }

    /// <summary>Staff work only while their instance is active (a trial ends with commercial use or its expiry).</summary>
    private async Task<bool> InstanceIsUsableAsync(Guid tenantId, DateTime now, CancellationToken ct)
    {
        var instance = await db.Set<Instance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == tenantId, ct);
        return instance is not null && instance.IsUsableAt(now);
    }

    private static string RandomSuffix()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        return string.Create(6, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }
}
