using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.AgentStates;
using Yunke.Core.Audit;
using Yunke.Core.CalledRoutes;
using Yunke.Core.Calls;
using Yunke.Core.Commercial;
using Yunke.Core.Instances;
using Yunke.Core.Numbers;
using Yunke.Core.Offerings;
using Yunke.Core.Registrations;
using Yunke.Core.SkillQueues;
using Yunke.Core.Staff;
using Yunke.Core.Trials;
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
        services.AddScoped<OfferingService>();
        services.AddScoped<NumberService>();
        services.AddScoped<InstanceService>();
        services.AddScoped<TrialService>();
        services.AddScoped<CommercialUseService>();
        services.AddScoped<AccountStanding>();
        services.AddScoped<VerificationService>();
        services.AddScoped<SkillQueueService>();
        services.AddScoped<AgentService>();
        services.AddScoped<SoftphoneService>();
        // The server registers the configured one (Yunke:Sip); this default keeps Core usable on its own.
        services.TryAddSingleton(new SipPlatform("127.0.0.1", 5060, 5062));
        services.AddScoped<CalledRouteService>();
        services.AddScoped<StaffPermissions>();
        services.AddScoped<PasswordRulesService>();
        services.AddScoped<RoleService>();
        services.AddScoped<OrganizationService>();
        services.AddScoped<EmployeeService>();
        services.AddSingleton<AgentStateHub>();
        services.AddScoped<Workbench>();
        services.AddScoped<CallService>();
        // The server registers DataDir/recordings; this default keeps Core usable on its own.
        services.TryAddSingleton(new CallRecordings(Path.Combine(Path.GetTempPath(), "yunke-recordings")));
        services.AddHostedService(sp => sp.GetRequiredService<AgentStateHub>());
        // The server registers the configured policy (Yunke:Sip); the registrar's defaults otherwise.
        services.TryAddSingleton(new RegistrarPolicy());
        services.AddSingleton<SoftphoneRegistrations>();
        services.AddHostedService(sp => sp.GetRequiredService<SoftphoneRegistrations>());
        services.AddSingleton<SoftphoneDirectory>();
        services.AddSingleton<CallTargets>();
        services.AddSingleton<AgentRingSettings>();
        return services;
    }
}
