using Microsoft.EntityFrameworkCore;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Numbers;
using Yunke.Core.Persistence;
using Yunke.Core.SkillQueues;
using Yunke.Core.Staff;

namespace Yunke.Core.CalledRoutes;

/// <summary>Called-number routing (配置中心 > 接入配置 > 被叫配置).</summary>
public sealed class CalledRouteService(YunkeDb db, StaffPermissions permissions, TimeProvider clock, CallTargets targets)
{
    public sealed record RouteInput(string? AccessCode, DeviceType? DeviceType, Guid? SkillQueueId, string? RobotId);

    public sealed record RouteView(Guid Id, string AccessCode, string Number, string Extension, DeviceType DeviceType,
        Guid? SkillQueueId, string? RobotId, DateTime CreatedAt)
    {
        public static RouteView From(CalledRoute r) =>
            new(r.Id, r.AccessCode, r.Number, r.Extension, r.DeviceType, r.SkillQueueId, r.RobotId, r.CreatedAt);
    }

    /// <summary>
    /// Routes an access code of this instance to one of its skill queues, or to an IVR robot. Robots arrive with
    /// a later issue: until then the robot id is required and kept as given, not checked against robots.
    /// </summary>
    public async Task<RouteView> CreateAsync(Actor actor, RouteInput input, CancellationToken ct = default)
    {
        var tenant = await TenantAsync(actor, ct);
        var code = input.AccessCode?.Trim();
        var v = new Validation();
        if (!v.Required("accessCode", code, AccessCodes.MaxLength).Has("accessCode"))
            v.Check("accessCode", AccessCodes.IsWellFormed(code),
                $"accessCode must be digits: a number of this instance, optionally followed by up to {AccessCodes.MaxExtensionDigits} extension digits.");
        v.Check("deviceType", input.DeviceType is not null, "deviceType is required: skillQueue or ivr.");
        if (input.DeviceType == DeviceType.SkillQueue)
        {
            v.Check("skillQueueId", input.SkillQueueId is not null, "skillQueueId is required for a skillQueue route.");
            v.Check("robotId", string.IsNullOrEmpty(input.RobotId), "robotId belongs to ivr routes only.");
        }
        else if (input.DeviceType == DeviceType.Ivr)
        {
            v.Required("robotId", input.RobotId, 64);
            v.Check("skillQueueId", input.SkillQueueId is null, "skillQueueId belongs to skillQueue routes only.");
        }
        v.ThrowIfInvalid();

        var (number, extension) = await SplitOnInstanceAsync(tenant, code!, ct);
        if (input.DeviceType == DeviceType.SkillQueue
            && !await db.Set<SkillQueue>().AnyAsync(q => q.Id == input.SkillQueueId && q.TenantId == tenant, ct))
            throw YunkeException.Invalid("skillQueueId", "This instance has no such skill queue.");
        if (await db.Set<CalledRoute>().AnyAsync(r => r.AccessCode == code, ct)) throw Taken(code!);

        var now = clock.GetUtcNow().UtcDateTime;
        var route = new CalledRoute
        {
            TenantId = tenant,
            AccessCode = code!,
            Number = number,
            Extension = extension,
            DeviceType = input.DeviceType!.Value,
            SkillQueueId = input.SkillQueueId,
            RobotId = input.RobotId?.Trim(),
            CreatedAt = now,
        };
        db.Add(route);
        db.Audit(actor, now, "calledRoute.created", route.AccessCode,
            route.DeviceType == DeviceType.Ivr ? $"ivr robot {route.RobotId}" : $"skill queue {route.SkillQueueId}");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { throw Taken(code!); }
        targets.Forget();
        return RouteView.From(route);
    }

    public async Task<Page<RouteView>> ListAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        var tenant = await TenantAsync(actor, ct);
        return await db.Set<CalledRoute>().AsNoTracking().Where(r => r.TenantId == tenant)
            .OrderBy(r => r.AccessCode).ThenBy(r => r.Id).ToPageAsync(page, RouteView.From, ct);
    }

    public async Task<RouteView> GetAsync(Actor actor, Guid id, CancellationToken ct = default) =>
        RouteView.From(await FindAsync(await TenantAsync(actor, ct), id, ct));

    public async Task DeleteAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        var route = await FindAsync(await TenantAsync(actor, ct), id, ct);
        db.Remove(route);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "calledRoute.deleted", route.AccessCode);
        await db.SaveChangesAsync(ct);
        targets.Forget();
    }

    private Task<Guid> TenantAsync(Actor actor, CancellationToken ct) => permissions.TenantAsync(actor, [Permissions.RoutingManage], ct);

    /// <summary>
    /// Finds the instance number the code begins with: on this instance, in use (not a released experience
    /// number), and for own numbers, docked. Otherwise says why not.
    /// </summary>
    private async Task<(string Number, string Extension)> SplitOnInstanceAsync(Guid tenant, string code, CancellationToken ct)
    {
        var candidates = AccessCodes.CandidateNumbers(code);
        var found = await db.Set<PhoneNumber>().AsNoTracking().Where(n => candidates.Contains(n.Number)).ToListAsync(ct);
        var usable = found.Where(n => n.InstanceId == tenant && n.Status == NumberStatus.InUse
            && (n.Kind != NumberKind.Own || n.DockingStatus == DockingStatus.Completed)).Select(n => n.Number);
        if (AccessCodes.Split(code, usable) is { } split) return split;

        var owner = await db.Set<Instance>().Where(i => i.Id == tenant).Select(i => i.OwnerAccountId).SingleOrDefaultAsync(ct);
        var nearest = found.OrderByDescending(n => n.Number.Length).FirstOrDefault();
        var why = nearest switch
        {
            null => $"accessCode must begin with one of this instance's numbers (then up to {AccessCodes.MaxExtensionDigits} extension digits).",
            { InstanceId: var i, Status: NumberStatus.Released } when i == tenant => $"{nearest.Number} is a released experience number.",
            { Kind: NumberKind.Own, DockingStatus: not DockingStatus.Completed } when nearest.OwnerAccountId == owner =>
                $"{nearest.Number} is still being docked; route it once docking is complete.",
            _ => $"{nearest.Number} is not a number of this instance.",
        };
        throw new YunkeException(Problem.Rule, "accessCodeNotOnInstance", why, new Dictionary<string, string[]> { ["accessCode"] = [why] });
    }

    private async Task<CalledRoute> FindAsync(Guid tenant, Guid id, CancellationToken ct) =>
        await db.Set<CalledRoute>().SingleOrDefaultAsync(r => r.Id == id && r.TenantId == tenant, ct)
        ?? throw YunkeException.NotFound("The called route");

    private static YunkeException Taken(string code) =>
        new(Problem.Conflict, "accessCodeTaken", $"The access code {code} is already routed.",
            new Dictionary<string, string[]> { ["accessCode"] = [$"The access code {code} is already routed."] });
}
