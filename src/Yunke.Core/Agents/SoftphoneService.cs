using Microsoft.EntityFrameworkCore;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;
using Yunke.Core.Registrations;
using Yunke.Core.Staff;

namespace Yunke.Core.Agents;

/// <summary>
/// Softphone information (配置中心 > 系统管理 > 座席信息): an agent's softphone number and registrars, resetting
/// its password (only the SIP digest HA1 is kept), and the tenant's softphone settings.
/// </summary>
public sealed class SoftphoneService(YunkeDb db, AgentService agents, StaffPermissions permissions, SipPlatform sip,
    SoftphoneRegistrations registrations, SoftphoneDirectory directory, TimeProvider clock)
{
    /// <summary>A phone registered with the platform's registrar: its contact, how and where it registered, from where, until when.</summary>
    public sealed record Registration(string Contact, string Transport, string Registrar, DateTime ExpiresAt, string Source, DateTime RegisteredAt)
    {
        public static Registration Of(SoftphoneBinding b) => new(b.Contact, b.Transport, b.Registrar, b.ExpiresAt, b.Source, b.RegisteredAt);
    }

    public sealed record SoftphoneView(string AgentId, string Number, IReadOnlyList<string> Registrars, SoftphoneMode Mode,
        IReadOnlyList<Registration> Registrations, bool PasswordSet, DateTime? PasswordSetAt, bool UnifiedAuthentication, string Realm);

    public sealed record SettingsInput(SoftphoneMode? Mode, bool? UnifiedAuthentication);

    public sealed record SettingsView(SoftphoneMode Mode, bool UnifiedAuthentication, string Prefix, IReadOnlyList<string> Registrars);

    public async Task<SoftphoneView> GetAsync(Actor actor, string agentId, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await agents.EnsureAllocatedAsync(tenant, ct);
        var agent = await db.Set<Agent>().AsNoTracking().SingleOrDefaultAsync(a => a.TenantId == tenant && a.AgentId == agentId, ct)
            ?? throw YunkeException.NotFound("The agent ID");
        return View(agent, await SettingsAsync(tenant, ct));
    }

    /// <summary>
    /// The signed-in agent's own softphone, for its workbench: number, registrars and whether unified
    /// authentication lets its browser phone register on the session instead of the softphone password.
    /// </summary>
    public async Task<SoftphoneView> GetMineAsync(Actor actor, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.WorkbenchUse], ct);
        var agent = await agents.FindByAccountAsync(tenant, actor.AccountId, ct) ?? throw AgentService.NotAnAgent();
        return View(agent, await SettingsAsync(tenant, ct));
    }

    /// <summary>Sets a new softphone password (重置软电话密码): stores HA1 = MD5(number:realm:password) and nothing else.</summary>
    public async Task<SoftphoneView> SetPasswordAsync(Actor actor, string agentId, string? password, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await agents.EnsureAllocatedAsync(tenant, ct);
        var agent = await db.Set<Agent>().SingleOrDefaultAsync(a => a.TenantId == tenant && a.AgentId == agentId, ct)
            ?? throw YunkeException.NotFound("The agent ID");
        Softphones.CheckPassword(new Validation(), "password", password, agent.SoftphoneNumber, agent.AgentId).ThrowIfInvalid();
        var now = clock.GetUtcNow().UtcDateTime;
        agent.SoftphoneHa1 = Softphones.Ha1(agent.SoftphoneNumber, sip.Realm, password!);
        agent.SoftphonePasswordSetAt = now;
        db.Audit(actor, now, "agent.softphonePasswordSet", agent.AgentId, agent.SoftphoneNumber);
        await db.SaveChangesAsync(ct);
        directory.Forget(agent.SoftphoneNumber);
        return View(agent, await SettingsAsync(tenant, ct));
    }

    /// <summary>The live registrations of every agent of the tenant, by agent ID, for the 座席信息 list.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Registration>>> ListRegistrationsAsync(Actor actor, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        return registrations.OfTenant(tenant)
            .ToDictionary(p => p.Key, p => (IReadOnlyList<Registration>)p.Value.Select(Registration.Of).ToList());
    }

    public async Task<SettingsView> GetSettingsAsync(Actor actor, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await agents.EnsureAllocatedAsync(tenant, ct);
        return ViewOf(await SettingsAsync(tenant, ct));
    }

    /// <summary>Switches single/pool mode and unified authentication; fields left null keep their value.</summary>
    public async Task<SettingsView> UpdateSettingsAsync(Actor actor, SettingsInput input, CancellationToken ct = default)
    {
        var tenant = await permissions.TenantAsync(actor, [Permissions.AgentsManage], ct);
        await agents.EnsureAllocatedAsync(tenant, ct);
        var settings = await db.Set<SoftphoneSettings>().SingleOrDefaultAsync(s => s.TenantId == tenant, ct)
            ?? throw YunkeException.NotFound("The softphone settings");
        if (input.Mode is { } mode) settings.Mode = mode;
        if (input.UnifiedAuthentication is { } unified) settings.UnifiedAuthentication = unified;
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "softphone.settingsChanged", "softphones",
            $"mode {settings.Mode}, unified authentication {(settings.UnifiedAuthentication ? "on" : "off")}");
        await db.SaveChangesAsync(ct);
        return ViewOf(settings);
    }

    private async Task<SoftphoneSettings> SettingsAsync(Guid tenant, CancellationToken ct) =>
        await db.Set<SoftphoneSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenant, ct)
        ?? throw YunkeException.NotFound("The softphone settings");

    private SettingsView ViewOf(SoftphoneSettings s) => new(s.Mode, s.UnifiedAuthentication, s.Prefix, sip.Registrars(s.Mode));

    private SoftphoneView View(Agent a, SoftphoneSettings s) => new(a.AgentId, a.SoftphoneNumber, sip.Registrars(s.Mode), s.Mode,
        registrations.Of(a.TenantId, a.AgentId).Select(Registration.Of).ToList(),
        a.SoftphoneHa1 is not null, a.SoftphonePasswordSetAt, s.UnifiedAuthentication, sip.Realm);
}
