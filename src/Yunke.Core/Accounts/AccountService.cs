using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;

namespace Yunke.Core.Accounts;

/// <summary>Sign-up, sign-in with lock-out, and password changes, for every kind of account.</summary>
public sealed partial class AccountService(YunkeDb db, IPasswordHasher<Account> hasher, TimeProvider clock)
{
    public sealed record SignUp(string? Account, string? Password, string? Email, string? Phone);

    public async Task<Account> SignUpAsync(SignUp request, string? remoteIp, CancellationToken ct = default)
    {
        var v = new Validation();
        ValidateAccountName(v, request.Account);
        v.Email("email", request.Email).Phone("phone", request.Phone);
        foreach (var broken in PasswordPolicy.Default.Check(request.Account ?? "", request.Password)) v.Add("password", broken);
        v.ThrowIfInvalid();

        await EnsureNameFreeAsync(request.Account!, ct);
        var now = Now;
        var account = new Account
        {
            Name = request.Account!.Trim(),
            Kind = AccountKind.Cloud,
            Roles = [Roles.CloudAccount],
            Email = request.Email!.Trim(),
            Phone = request.Phone!.Trim(),
            CreatedAt = now,
            PasswordChangedAt = now,
        };
        account.OwnerAccountId = account.Id;
        account.PasswordHash = hasher.HashPassword(account, request.Password!);
        account.SetNormalizedName();
        db.Add(account);
        db.Audit(new Actor(account.Id, account.Name, account.Roles, null, remoteIp), now, "account.signUp", account.Name);
        await SaveUniqueAsync(ct);
        return account;
    }

    /// <summary>Checks a password; counts failures and locks the account for a while after too many.</summary>
    public async Task<Account> SignInAsync(string? accountName, string? password, string? remoteIp, CancellationToken ct = default)
    {
        new Validation().Required("account", accountName, 64).Required("password", password, PasswordPolicy.MaxLength).ThrowIfInvalid();
        var normalized = Account.Normalize(accountName!);
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.NormalizedName == normalized, ct)
            ?? throw BadCredentials();
        var now = Now;
        if (account.LockedUntil > now)
            throw new YunkeException(Problem.Locked, "accountLocked",
                $"Too many failed sign-ins: the account is locked until {account.LockedUntil:u}.");

        var verdict = hasher.VerifyHashedPassword(account, account.PasswordHash, password!);
        var actor = new Actor(account.Id, account.Name, account.Roles, account.TenantId, remoteIp);
        var policy = await db.PolicyForAsync(account, ct);
        if (verdict == PasswordVerificationResult.Failed)
        {
            account.FailedLogins++;
            if (account.FailedLogins >= policy.LockoutThreshold)
            {
                account.LockedUntil = now + policy.LockoutDuration;
                account.FailedLogins = 0;
                db.Audit(actor, now, "account.locked", account.Name, $"after {policy.LockoutThreshold} failed sign-ins");
            }
            await db.SaveChangesAsync(ct);
            throw BadCredentials();
        }
        if (account.TenantId is { } tenant && !await InstanceIsUsableAsync(tenant, now, ct))
            throw YunkeException.Rule("instanceNotActive", "The call center instance of this account has ended or expired.");
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            account.PasswordHash = hasher.HashPassword(account, password!);
        // Only staff passwords age (the tenant's maximum age); the token then carries the change-first gate.
        if (account.Kind == AccountKind.Staff && !account.MustChangePassword && policy.IsExpired(account.PasswordChangedAt, now))
        {
            account.MustChangePassword = true;
            db.Audit(actor, now, "account.passwordExpired", account.Name, $"older than {policy.MaxAgeDays} days");
        }
        account.FailedLogins = 0;
        account.LockedUntil = null;
        db.Audit(actor, now, "account.signIn", account.Name);
        await db.SaveChangesAsync(ct);
        return account;
    }

    /// <summary>Changes the actor's own password under the rules that govern its account (its tenant's, for staff).</summary>
    public async Task<Account> ChangePasswordAsync(Actor actor, string? currentPassword, string? newPassword, CancellationToken ct = default)
    {
        new Validation().Required("currentPassword", currentPassword, PasswordPolicy.MaxLength).ThrowIfInvalid();
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.Id == actor.AccountId, ct)
            ?? throw YunkeException.NotFound("The account");
        if (hasher.VerifyHashedPassword(account, account.PasswordHash, currentPassword!) == PasswordVerificationResult.Failed)
            throw YunkeException.Invalid("currentPassword", "The current password is wrong.");

        var policy = await db.PolicyForAsync(account, ct);
        var v = new Validation();
        foreach (var broken in policy.Check(account.Name, newPassword)) v.Add("newPassword", broken);
        if (newPassword == currentPassword) v.Add("newPassword", "The new password must differ from the current one.");
        // "The last N passwords" count the current one, which is refused above whatever N is.
        else if (v.IsValid && account.PasswordHistory.Take(policy.HistoryCount - 1)
                     .Any(old => hasher.VerifyHashedPassword(account, old, newPassword!) != PasswordVerificationResult.Failed))
            v.Add("newPassword", $"The new password must differ from the last {policy.HistoryCount} passwords.");
        v.ThrowIfInvalid();

        SetPassword(account, newPassword!, mustChange: false);
        db.Audit(actor, Now, "account.passwordChanged", account.Name);
        await db.SaveChangesAsync(ct);
        return account;
    }

    /// <summary>Sets a password an administrator chose or generated; the owner must change it at next sign-in.</summary>
    internal void SetPassword(Account account, string password, bool mustChange)
    {
        if (!string.IsNullOrEmpty(account.PasswordHash))
            account.PasswordHistory = [account.PasswordHash, .. account.PasswordHistory.Take(PasswordPolicy.MaxHistoryCount - 1)];
        account.PasswordHash = hasher.HashPassword(account, password);
        account.PasswordChangedAt = Now;
        account.MustChangePassword = mustChange;
        account.SecurityStamp = Account.NewStamp();
        account.FailedLogins = 0;
        account.LockedUntil = null;
    }

    /// <summary>Creates the platform operator on first start; answers the generated password, or null when it existed.</summary>
    public async Task<string?> EnsureOperatorAsync(string? configuredPassword, CancellationToken ct = default)
    {
        if (await db.Set<Account>().AnyAsync(a => a.Kind == AccountKind.Operator, ct)) return null;
        var password = string.IsNullOrEmpty(configuredPassword) ? OneTimePassword.Generate() : configuredPassword;
        var now = Now;
        var account = new Account
        {
            Name = "operator",
            DisplayName = "Platform operator",
            Kind = AccountKind.Operator,
            Roles = [Roles.Operator],
            CreatedAt = now,
        };
        account.PasswordHash = hasher.HashPassword(account, password);
        account.PasswordChangedAt = now;
        account.SetNormalizedName();
        db.Add(account);
        db.Audit(Actor.System, now, "account.operatorCreated", account.Name);
        await db.SaveChangesAsync(ct);
        return password;
    }

    public async Task<Account> GetAsync(Guid id, CancellationToken ct = default) =>
        await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct)
        ?? throw YunkeException.NotFound("The account");

    /// <summary>Account names: 3–64 letters, digits, '_', '-', '.' and '@', starting with a letter or digit.</summary>
    public static void ValidateAccountName(Validation v, string? name)
    {
        if (v.Required("account", name, 64).Has("account")) return;
        if (!AccountNamePattern().IsMatch(name!.Trim()))
            v.Add("account", "The account name must be 3 to 64 letters, digits or _ - . @ and start with a letter or digit.");
    }

    /// <summary>Account names are unique across the platform, not only within one tenant.</summary>
    public async Task EnsureNameFreeAsync(string name, CancellationToken ct)
    {
        var normalized = Account.Normalize(name);
        if (await db.Set<Account>().AnyAsync(a => a.NormalizedName == normalized, ct))
            throw AccountNameTaken(name);
    }

    /// <summary>Saves, turning a lost race on the unique account name into the same clear conflict.</summary>
    internal async Task SaveUniqueAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            var added = db.ChangeTracker.Entries<Account>().FirstOrDefault(e => e.State == EntityState.Added);
            if (added is null) throw;
            throw AccountNameTaken(added.Entity.Name);
        }
    }

    private static YunkeException AccountNameTaken(string name) => new(Problem.Conflict, "accountNameTaken",
        $"The account name '{name.Trim()}' is already used on this platform; choose another, for example with your company's prefix.",
        new Dictionary<string, string[]> { ["account"] = ["This account name is already used on the platform."] });

    private static YunkeException BadCredentials() =>
        new(Problem.Unauthorized, "invalidCredentials", "The account or the password is wrong.");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.@\-]{2,63}$")]
    private static partial System.Text.RegularExpressions.Regex AccountNamePattern();
}
