using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Verification;

namespace Yunke.Core;

public static class CoreServices
{
    /// <summary>Every application service of the contact center; the API and the console both call these.</summary>
    public static IServiceCollection AddYunkeCore(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<IPasswordHasher<Account>, PasswordHasher<Account>>();
        services.AddScoped<AccountService>();
        services.AddScoped<AuditLog>();
        services.AddScoped<AccountStanding>();
        services.AddScoped<VerificationService>();
        return services;
    }
}
