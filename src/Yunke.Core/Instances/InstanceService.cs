using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Agents;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Numbers;
using Yunke.Core.Offerings;
using Yunke.Core.Persistence;
using Yunke.Core.Staff;

namespace Yunke.Core.Instances;

/// <summary>
/// The new-instance wizard of seed chapter 3 step 5 (numbers, name, billing mode, spec, seats, period,
/// itemised price, agreements), and reading one's instances and orders.
/// </summary>
public sealed class InstanceService(YunkeDb db, OfferingService offerings, AccountService accounts, AgentService agents, TimeProvider clock)
{
    public const int MaxNumbers = 100;

    public sealed record InstanceInput(string? Name, IReadOnlyList<string>? Numbers, string? BillingMode, string? Spec,
        Seats? Seats, int? PeriodMonths, bool AgreeServiceAgreement = false, bool AgreePrivacyPolicy = false);

    public sealed record TenantAdminView(string Account,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Password);

    public sealed record InstanceView(Guid Id, string Name, InstanceStatus Status, bool IsTrial, string BillingMode, string Spec,
        int PeriodMonths, Seats Seats, IReadOnlyList<string> Numbers, Guid? OrderId, TenantAdminView TenantAdmin,
        DateTime CreatedAt, DateTime? ExpiresAt, DateTime? EndedAt);

    public sealed record OrderView(Guid Id, Guid InstanceId, string InstanceName, OrderStatus Status, string BillingMode, string Spec,
        int PeriodMonths, string Currency, IReadOnlyList<QuoteLine> Lines, decimal Total, DateTime CreatedAt)
    {
        public static OrderView From(Order o) => new(o.Id, o.InstanceId, o.InstanceName, o.Status, o.BillingMode, o.Spec,
            o.PeriodMonths, o.Currency, o.Lines, o.Total, o.CreatedAt);
    }

    public async Task<Quote> QuoteAsync(Actor actor, InstanceInput input, CancellationToken ct = default)
    {
        await db.CloudAccountAsync(actor, ct);
        return (await PriceAsync(actor, input, new Validation(), ct)).Quote;
    }

    /// <summary>Creates the instance, its order and its tenant admin in one transaction.</summary>
    public async Task<InstanceView> CreateAsync(Actor actor, InstanceInput input, CancellationToken ct = default)
    {
        var owner = (await db.CloudAccountAsync(actor, ct)).EnsureNotFrozen().EnsureCommercial();
        var v = new Validation()
            .True("agreeServiceAgreement", input.AgreeServiceAgreement, "Accept the service agreement (《云客服使用协议》).")
            .True("agreePrivacyPolicy", input.AgreePrivacyPolicy, "Accept the privacy policy (《隐私政策声明》).");
        var (quote, numbers, mode, spec, months) = await PriceAsync(actor, input, v, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        var instance = new Instance
        {
            Name = input.Name!.Trim(),
            OwnerAccountId = owner.Id,
            Status = InstanceStatus.Active,
            BillingMode = mode.Code,
            Spec = spec.Code,
            PeriodMonths = months,
            VoiceSeats = input.Seats!.Voice,
            VideoSeats = input.Seats.Video,
            MultimediaSeats = input.Seats.Multimedia,
            CreatedAt = now,
            ExpiresAt = mode.Kind == BillingKind.Prepaid ? now.AddMonths(months) : null,
        };
        var order = new Order
        {
            AccountId = owner.Id,
            InstanceId = instance.Id,
            InstanceName = instance.Name,
            Status = OrderStatus.Paid,
            BillingMode = mode.Code,
            Spec = spec.Code,
            PeriodMonths = months,
            Currency = quote.Currency,
            Total = quote.Total,
            Lines = quote.Lines.ToList(),
            CreatedAt = now,
        };
        foreach (var n in numbers)
        {
            n.InstanceId = instance.Id;
            n.Status = NumberStatus.InUse;
        }
        var (admin, password) = await accounts.AddTenantAdminAsync(instance.Id, owner, ct);
        instance.TenantAdminAccountId = admin.Id;
        db.AddRange(instance, order);
        await agents.AllocateAsync(instance, ct);
        db.Add(Organization.DefaultFor(instance.Id, now));
        db.Audit(actor, now, "instance.created", instance.Name,
            $"{mode.Code} {spec.Code} {months} months, seats {instance.Seats}, numbers {string.Join(", ", numbers.Select(n => n.Number))}", instance.Id);
        db.Audit(actor, now, "order.placed", order.Id.ToString(), $"{quote.Total} {quote.Currency}", instance.Id);
        db.Audit(actor, now, "account.tenantAdminCreated", admin.Name, "", instance.Id);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            throw new YunkeException(Problem.Conflict, "numberNotOrderable", "A chosen number was just put on another instance.",
                new Dictionary<string, string[]> { ["numbers"] = ["A chosen number was just put on another instance."] });
        }
        return View(instance, numbers.Select(n => n.Number).ToList(), order.Id, new TenantAdminView(admin.Name, password));
    }

    public async Task<Page<InstanceView>> ListMineAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        var instances = await db.Set<Instance>().AsNoTracking().Where(i => i.OwnerAccountId == actor.AccountId)
            .OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).ToPageAsync(page, i => i, ct);
        var views = await ViewsAsync(instances.Items, ct);
        return new Page<InstanceView>(views, instances.Total);
    }

    public async Task<InstanceView> GetMineAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        var instance = await db.Set<Instance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id && i.OwnerAccountId == actor.AccountId, ct)
            ?? throw YunkeException.NotFound("The instance");
        return (await ViewsAsync([instance], ct))[0];
    }

    public Task<Page<OrderView>> ListOrdersAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        return db.Set<Order>().AsNoTracking().Where(o => o.AccountId == actor.AccountId)
            .OrderByDescending(o => o.CreatedAt).ThenBy(o => o.Id).ToPageAsync(page, OrderView.From, ct);
    }

    public async Task<OrderView> GetOrderAsync(Actor actor, Guid id, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        var order = await db.Set<Order>().AsNoTracking().SingleOrDefaultAsync(o => o.Id == id && o.AccountId == actor.AccountId, ct)
            ?? throw YunkeException.NotFound("The order");
        return OrderView.From(order);
    }

    /// <summary>
    /// The owner gets a new one-time password for the instance's tenant admin (how a trial's admin
    /// credentials reach it, or a forgotten one is replaced). The admin must change it at sign-in.
    /// </summary>
    public async Task<TenantAdminView> ResetTenantAdminPasswordAsync(Actor actor, Guid instanceId, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        var instance = await db.Set<Instance>().AsNoTracking()
            .SingleOrDefaultAsync(i => i.Id == instanceId && i.OwnerAccountId == actor.AccountId, ct)
            ?? throw YunkeException.NotFound("The instance");
        if (instance.Status != InstanceStatus.Active)
            throw YunkeException.Rule("instanceNotActive", "The instance has ended; its tenant admin can no longer sign in.");
        var admin = await db.Set<Account>().SingleAsync(a => a.Id == instance.TenantAdminAccountId, ct);
        var password = accounts.ResetToOneTimePassword(admin);
        db.Audit(actor, clock.GetUtcNow().UtcDateTime, "account.tenantAdminPasswordReset", admin.Name, "", instance.Id);
        await db.SaveChangesAsync(ct);
        return new TenantAdminView(admin.Name, password);
    }

    /// <summary>Validates the wizard's choices against the catalog and the caller's numbers, and prices them.</summary>
    private sealed record Priced(Quote Quote, List<PhoneNumber> Numbers, BillingMode Mode, Spec Spec, int Months);

    private async Task<Priced> PriceAsync(
        Actor actor, InstanceInput input, Validation v, CancellationToken ct)
    {
        var catalog = await offerings.GetAsync(ct);
        v.Required("name", input.Name, 64);
        var wanted = (input.Numbers ?? []).Select(n => n?.Trim() ?? "").ToList();
        if (wanted.Count == 0) v.Add("numbers", "Choose at least one number for the instance.");
        else if (wanted.Count > MaxNumbers) v.Add("numbers", $"At most {MaxNumbers} numbers.");
        else if (wanted.Any(n => !PhoneNumber.IsWellFormed(n))) v.Add("numbers", "Each number must be 5 to 20 digits, optionally with a leading +.");
        else if (wanted.Distinct().Count() != wanted.Count) v.Add("numbers", "A number is chosen twice.");
        var (mode, spec, months) = Pricing.Check(v, catalog, input.BillingMode, input.Spec, input.Seats, input.PeriodMonths);
        v.ThrowIfInvalid();

        var numbers = await db.Set<PhoneNumber>().Where(n => n.OwnerAccountId == actor.AccountId && wanted.Contains(n.Number)).ToListAsync(ct);
        var unknown = wanted.Except(numbers.Select(n => n.Number)).ToList();
        if (unknown.Count > 0)
            throw YunkeException.Invalid("numbers", $"Not numbers of this account: {string.Join(", ", unknown)}.");
        var unusable = numbers.Where(n => !n.IsOrderable).ToList();
        if (unusable.Count > 0)
            throw new YunkeException(Problem.Rule, "numberNotOrderable",
                $"These numbers cannot be put on an instance: {string.Join("; ", unusable.Select(Why))}.",
                new Dictionary<string, string[]> { ["numbers"] = unusable.Select(Why).ToArray() });

        var ordered = wanted.Select(w => numbers.Single(n => n.Number == w)).ToList();
        var quote = Pricing.Price(catalog, mode, spec, input.Seats!, months,
            ordered.Select(n => new QuotedNumber(n.Number, n.MonthlyRent)).ToList());
        return new Priced(quote, ordered, mode, spec, months);
    }

    private static string Why(PhoneNumber n) => n switch
    {
        { InstanceId: not null } => $"{n.Number} is already on an instance",
        { Kind: NumberKind.Own, DockingStatus: not DockingStatus.Completed } => $"{n.Number} is still being docked",
        { Kind: NumberKind.Experience } => $"{n.Number} is a trial experience number",
        _ => $"{n.Number} is {n.Status.ToString().ToLowerInvariant()}",
    };

    private async Task<List<InstanceView>> ViewsAsync(IReadOnlyList<Instance> instances, CancellationToken ct)
    {
        var ids = instances.Select(i => i.Id).ToList();
        var numbers = await db.Set<PhoneNumber>().AsNoTracking().Where(n => n.InstanceId != null && ids.Contains(n.InstanceId.Value))
            .Select(n => new { n.InstanceId, n.Number }).ToListAsync(ct);
        var orders = await db.Set<Order>().AsNoTracking().Where(o => ids.Contains(o.InstanceId))
            .Select(o => new { o.InstanceId, o.Id }).ToListAsync(ct);
        var adminIds = instances.Select(i => i.TenantAdminAccountId).ToList();
        var admins = await db.Set<Account>().AsNoTracking().Where(a => adminIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        return instances.Select(i => View(i,
            numbers.Where(n => n.InstanceId == i.Id).Select(n => n.Number).Order().ToList(),
            orders.FirstOrDefault(o => o.InstanceId == i.Id)?.Id,
            new TenantAdminView(admins.GetValueOrDefault(i.TenantAdminAccountId, ""), null))).ToList();
    }

    private static InstanceView View(Instance i, IReadOnlyList<string> numbers, Guid? orderId, TenantAdminView admin) =>
        new(i.Id, i.Name, i.Status, i.IsTrial, i.BillingMode, i.Spec, i.PeriodMonths, i.Seats, numbers, orderId, admin,
            i.CreatedAt, i.ExpiresAt, i.EndedAt);
}
