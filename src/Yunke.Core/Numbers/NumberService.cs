using Microsoft.EntityFrameworkCore;
using Yunke.Core.Accounts;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Core.Numbers;

/// <summary>
/// Number resources (号码): purchase requests the operator fulfils with platform numbers, and the
/// enterprise's own numbers that the operator docks.
/// </summary>
public sealed class NumberService(YunkeDb db, TimeProvider clock)
{
    public sealed record PurchaseRequestInput(string? Requirements, string? BusinessDescription, string? Script);
    public sealed record FulfilledNumber(string? Number, decimal? MonthlyRent, decimal? PerMinute);
    public sealed record OwnNumberInput(string? Number, string? Carrier);

    public sealed record NumberView(Guid Id, string Number, NumberKind Kind, NumberStatus Status, DockingStatus? DockingStatus,
        decimal MonthlyRent, decimal PerMinute, string Carrier, Guid? InstanceId, Guid OwnerAccountId, DateTime CreatedAt)
    {
        public static NumberView From(PhoneNumber n) => new(n.Id, n.Number, n.Kind, n.Status, n.DockingStatus,
            n.MonthlyRent, n.PerMinute, n.Carrier, n.InstanceId, n.OwnerAccountId, n.CreatedAt);
    }

    public sealed record RequestView(Guid Id, Guid AccountId, string Requirements, string BusinessDescription, string Script,
        RequestStatus Status, string? Reason, DateTime CreatedAt, DateTime? DecidedAt, IReadOnlyList<NumberView> Numbers);

    public async Task<RequestView> RequestPurchaseAsync(Actor actor, PurchaseRequestInput input, CancellationToken ct = default)
    {
        new Validation()
            .Required("requirements", input.Requirements, 2000)
            .Required("businessDescription", input.BusinessDescription, 2000)
            .Required("script", input.Script, 4000)
            .ThrowIfInvalid();
        (await db.CloudAccountAsync(actor, ct)).EnsureNotFrozen();
        var now = Now;
        var request = new NumberPurchaseRequest
        {
            AccountId = actor.AccountId,
            Requirements = input.Requirements!.Trim(),
            BusinessDescription = input.BusinessDescription!.Trim(),
            Script = input.Script!.Trim(),
            Status = RequestStatus.Submitted,
            CreatedAt = now,
        };
        db.Add(request);
        db.Audit(actor, now, "numbers.purchaseRequested", request.Id.ToString());
        await db.SaveChangesAsync(ct);
        return View(request, []);
    }

    public Task<Page<RequestView>> ListOwnRequestsAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        return ListRequestsAsync(db.Set<NumberPurchaseRequest>().Where(r => r.AccountId == actor.AccountId), page, ct);
    }

    public Task<Page<RequestView>> ListRequestsForOperatorAsync(Actor actor, RequestStatus? status, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var query = db.Set<NumberPurchaseRequest>().AsQueryable();
        if (status is not null) query = query.Where(r => r.Status == status);
        return ListRequestsAsync(query, page, ct);
    }

    /// <summary>The operator hands over the numbers it obtained; they become the account's, ready to order.</summary>
    public async Task<RequestView> FulfilAsync(Actor actor, Guid requestId, IReadOnlyList<FulfilledNumber>? numbers, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var v = new Validation();
        if (numbers is not { Count: > 0 }) v.Add("numbers", "Give at least one number.");
        else if (numbers.Count > 100) v.Add("numbers", "At most 100 numbers at a time.");
        else
            for (var i = 0; i < numbers.Count; i++)
            {
                var n = numbers[i];
                PhoneNumber.CheckFormat(v, $"numbers[{i}].number", n?.Number);
                v.Check($"numbers[{i}].monthlyRent", n?.MonthlyRent is >= 0, "monthlyRent is required and cannot be negative.");
                v.Check($"numbers[{i}].perMinute", n?.PerMinute is >= 0, "perMinute is required and cannot be negative.");
            }
        v.ThrowIfInvalid();
        var given = numbers!.Select(n => n.Number!.Trim()).ToList();
        if (given.Distinct().Count() != given.Count) throw YunkeException.Invalid("numbers", "A number appears twice.");

        var request = await db.Set<NumberPurchaseRequest>().SingleOrDefaultAsync(r => r.Id == requestId, ct)
            ?? throw YunkeException.NotFound("The number request");
        if (request.Status != RequestStatus.Submitted)
            throw YunkeException.Conflict("requestClosed", $"The request is already {request.Status.ToString().ToLowerInvariant()}.");
        await EnsureNumbersFreeAsync(given, ct);

        var now = Now;
        var created = numbers!.Select(n => new PhoneNumber
        {
            Number = n.Number!.Trim(),
            Kind = NumberKind.Purchased,
            Status = NumberStatus.Available,
            OwnerAccountId = request.AccountId,
            PurchaseRequestId = request.Id,
            MonthlyRent = n.MonthlyRent!.Value,
            PerMinute = n.PerMinute!.Value,
            CreatedAt = now,
        }).ToList();
        db.AddRange(created);
        request.Status = RequestStatus.Fulfilled;
        request.DecidedAt = now;
        db.Audit(actor, now, "numbers.requestFulfilled", request.Id.ToString(), string.Join(", ", given));
        await SaveUniqueAsync(ct);
        return View(request, created.OrderBy(n => n.Number));
    }

    public async Task<RequestView> RejectAsync(Actor actor, Guid requestId, string? reason, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        new Validation().Required("reason", reason, 500).ThrowIfInvalid();
        var request = await db.Set<NumberPurchaseRequest>().SingleOrDefaultAsync(r => r.Id == requestId, ct)
            ?? throw YunkeException.NotFound("The number request");
        if (request.Status != RequestStatus.Submitted)
            throw YunkeException.Conflict("requestClosed", $"The request is already {request.Status.ToString().ToLowerInvariant()}.");
        var now = Now;
        request.Status = RequestStatus.Rejected;
        request.Reason = reason!.Trim();
        request.DecidedAt = now;
        db.Audit(actor, now, "numbers.requestRejected", request.Id.ToString(), request.Reason);
        await db.SaveChangesAsync(ct);
        return View(request, []);
    }

    /// <summary>The enterprise asks the platform to dock a number it already has (申请对接自有号码).</summary>
    public async Task<NumberView> DockOwnAsync(Actor actor, OwnNumberInput input, CancellationToken ct = default)
    {
        var v = PhoneNumber.CheckFormat(new Validation(), "number", input.Number).Required("carrier", input.Carrier, 64);
        v.ThrowIfInvalid();
        (await db.CloudAccountAsync(actor, ct)).EnsureNotFrozen();
        var number = input.Number!.Trim();
        await EnsureNumbersFreeAsync([number], ct);
        var now = Now;
        var own = new PhoneNumber
        {
            Number = number,
            Kind = NumberKind.Own,
            Status = NumberStatus.Pending,
            DockingStatus = DockingStatus.Docking,
            OwnerAccountId = actor.AccountId,
            Carrier = input.Carrier!.Trim(),
            CreatedAt = now,
        };
        db.Add(own);
        db.Audit(actor, now, "numbers.ownDockingRequested", number, own.Carrier);
        await SaveUniqueAsync(ct);
        return NumberView.From(own);
    }

    public Task<Page<NumberView>> ListOwnDockingAsync(Actor actor, DockingStatus? status, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var query = db.Set<PhoneNumber>().AsNoTracking().Where(n => n.Kind == NumberKind.Own);
        if (status is not null) query = query.Where(n => n.DockingStatus == status);
        return query.OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToPageAsync(page, NumberView.From, ct);
    }

    /// <summary>The operator finished docking: the number is ready to put on an instance ("对接状态: 已完成").</summary>
    public async Task<NumberView> CompleteDockingAsync(Actor actor, Guid numberId, CancellationToken ct = default)
    {
        actor.Require(Roles.Operator);
        var number = await db.Set<PhoneNumber>().SingleOrDefaultAsync(n => n.Id == numberId && n.Kind == NumberKind.Own, ct)
            ?? throw YunkeException.NotFound("The own number");
        if (number.DockingStatus == DockingStatus.Completed) return NumberView.From(number);
        number.DockingStatus = DockingStatus.Completed;
        number.Status = NumberStatus.Available;
        db.Audit(actor, Now, "numbers.ownDockingCompleted", number.Number);
        await db.SaveChangesAsync(ct);
        return NumberView.From(number);
    }

    /// <summary>The caller's numbers of every kind, newest first.</summary>
    public Task<Page<NumberView>> ListMineAsync(Actor actor, PageRequest page, CancellationToken ct = default)
    {
        actor.Require(Roles.CloudAccount);
        return db.Set<PhoneNumber>().AsNoTracking().Where(n => n.OwnerAccountId == actor.AccountId)
            .OrderByDescending(n => n.CreatedAt).ThenBy(n => n.Number).ToPageAsync(page, NumberView.From, ct);
    }

    /// <summary>
    /// Adds (unsaved) a platform "experience number" (体验号码) for a trial instance. Yunke allocates them from
    /// its own 95-prefixed range, so they never clash with a carrier number an enterprise brings.
    /// </summary>
    internal async Task<PhoneNumber> AddExperienceNumberAsync(Guid ownerId, Guid instanceId, DateTime now, CancellationToken ct)
    {
        string number;
        do number = "9500" + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10_000_000).ToString("D7");
        while (await db.Set<PhoneNumber>().AnyAsync(n => n.Number == number, ct));
        var experience = new PhoneNumber
        {
            Number = number,
            Kind = NumberKind.Experience,
            Status = NumberStatus.InUse,
            OwnerAccountId = ownerId,
            InstanceId = instanceId,
            Carrier = "Yunke",
            CreatedAt = now,
        };
        db.Add(experience);
        return experience;
    }

    private async Task<Page<RequestView>> ListRequestsAsync(IQueryable<NumberPurchaseRequest> query, PageRequest page, CancellationToken ct)
    {
        var requests = await query.AsNoTracking().OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id).ToPageAsync(page, r => r, ct);
        var ids = requests.Items.Select(r => r.Id).ToList();
        var numbers = await db.Set<PhoneNumber>().AsNoTracking()
            .Where(n => n.PurchaseRequestId != null && ids.Contains(n.PurchaseRequestId.Value)).ToListAsync(ct);
        return new Page<RequestView>(requests.Items
            .Select(r => View(r, numbers.Where(n => n.PurchaseRequestId == r.Id).OrderBy(n => n.Number))).ToList(), requests.Total);
    }

    private async Task EnsureNumbersFreeAsync(IReadOnlyCollection<string> numbers, CancellationToken ct)
    {
        var taken = await db.Set<PhoneNumber>().Where(n => numbers.Contains(n.Number)).Select(n => n.Number).ToListAsync(ct);
        if (taken.Count > 0) throw NumberTaken(taken);
    }

    /// <summary>Saves, turning a lost race on the unique number into the same clear conflict.</summary>
    private async Task SaveUniqueAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            var added = db.ChangeTracker.Entries<PhoneNumber>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.Number).ToList();
            if (added.Count == 0) throw;
            throw NumberTaken(added);
        }
    }

    private static YunkeException NumberTaken(IEnumerable<string> numbers) => new(Problem.Conflict, "numberTaken",
        $"Already on the platform: {string.Join(", ", numbers)}. A number can be registered only once.",
        new Dictionary<string, string[]> { ["number"] = ["This number is already registered on the platform."] });

    private static RequestView View(NumberPurchaseRequest r, IEnumerable<PhoneNumber> numbers) => new(r.Id, r.AccountId,
        r.Requirements, r.BusinessDescription, r.Script, r.Status, r.Reason, r.CreatedAt, r.DecidedAt,
        numbers.Select(NumberView.From).ToList());

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
