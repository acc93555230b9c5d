using System.Text.RegularExpressions;
using Yunke.Core.Common;

namespace Yunke.Core.Offerings;

/// <summary>A name shown in the bilingual console.</summary>
public sealed record LocalizedName(string Zh, string En)
{
    public override string ToString() => $"{En} / {Zh}";
}

public enum BillingKind
{
    /// <summary>包年/包月: paid ahead for a chosen number of months.</summary>
    Prepaid,
    /// <summary>按需: billed by month of use; the quote is a monthly estimate.</summary>
    PayPerUse,
}

/// <summary>A discount that applies once the purchase period reaches <see cref="MinMonths"/>.</summary>
public sealed record PeriodDiscount(int MinMonths, decimal Percent);

public sealed record BillingMode(string Code, LocalizedName Name, BillingKind Kind,
    IReadOnlyList<int> PeriodMonths, IReadOnlyList<PeriodDiscount> Discounts)
{
    /// <summary>The largest discount the period earns, or null.</summary>
    public PeriodDiscount? DiscountFor(int months) =>
        Discounts.Where(d => months >= d.MinMonths).OrderByDescending(d => d.Percent).FirstOrDefault();
}

/// <summary>A call center instance size: its monthly platform fee and how many seats it may hold.</summary>
public sealed record Spec(string Code, LocalizedName Name, decimal MonthlyFee, int MaxSeats);

/// <summary>Monthly price of one seat (座席) of each type.</summary>
public sealed record SeatPrices(decimal Voice, decimal Video, decimal Multimedia);

/// <summary>What an approved free trial gets.</summary>
public sealed record TrialOffer(int Days, int VoiceSeats, int VideoSeats, int MultimediaSeats);

/// <summary>
/// The platform's catalog: billing modes, specs, seat prices and the trial offer. It is data the
/// operator edits as a whole (PUT /operator/offerings), so prices never live in code.
/// </summary>
public sealed partial record Catalog(string Currency, IReadOnlyList<BillingMode> BillingModes,
    IReadOnlyList<Spec> Specs, SeatPrices SeatPrices, TrialOffer Trial)
{
    public BillingMode? Mode(string? code) => BillingModes.FirstOrDefault(m => m.Code == code);

    public Spec? FindSpec(string? code) => Specs.FirstOrDefault(s => s.Code == code);

    /// <summary>What a fresh platform offers until the operator says otherwise.</summary>
    public static Catalog Default { get; } = new(
        "CNY",
        [
            new BillingMode("prepaid", new("包年/包月", "Prepaid (monthly/yearly)"), BillingKind.Prepaid,
                [1, 3, 6, 12, 24, 36], [new PeriodDiscount(12, 15m), new PeriodDiscount(24, 20m)]),
            new BillingMode("payPerUse", new("按需计费", "Pay per use"), BillingKind.PayPerUse, [], []),
        ],
        [
            new Spec("basic", new("基础版", "Basic"), 500m, 20),
            new Spec("standard", new("标准版", "Standard"), 1500m, 100),
            new Spec("enterprise", new("企业版", "Enterprise"), 5000m, 1000),
        ],
        new SeatPrices(Voice: 150m, Video: 300m, Multimedia: 100m),
        new TrialOffer(Days: 30, VoiceSeats: 2, VideoSeats: 1, MultimediaSeats: 1));

    /// <summary>The same catalog with lists a client left out made empty, so pricing never meets a null.</summary>
    public Catalog Normalized() => this with
    {
        BillingModes = BillingModes.Select(m => m with { PeriodMonths = m.PeriodMonths ?? [], Discounts = m.Discounts ?? [] }).ToList(),
    };

    /// <summary>Every field error of a catalog the operator submits.</summary>
    public static void Validate(Validation v, Catalog? c)
    {
        if (c is null) { v.Add("catalog", "The catalog is required."); return; }
        if (c.Currency is null || !CurrencyPattern().IsMatch(c.Currency)) v.Add("currency", "currency must be a three-letter ISO 4217 code such as CNY.");

        if (c.BillingModes is not { Count: > 0 }) v.Add("billingModes", "At least one billing mode is required.");
        else
        {
            for (var i = 0; i < c.BillingModes.Count; i++)
            {
                var m = c.BillingModes[i];
                var f = $"billingModes[{i}]";
                if (m is null) { v.Add(f, "The billing mode is empty."); continue; }
                CheckCodeAndName(v, f, m.Code, m.Name);
                var periods = m.PeriodMonths ?? [];
                if (m.Kind == BillingKind.Prepaid && periods.Count == 0) v.Add($"{f}.periodMonths", "A prepaid mode needs at least one period.");
                if (m.Kind == BillingKind.PayPerUse && periods.Count > 0) v.Add($"{f}.periodMonths", "A pay-per-use mode has no periods.");
                if (periods.Any(p => p is < 1 or > 120) || periods.Distinct().Count() != periods.Count)
                    v.Add($"{f}.periodMonths", "Periods must be distinct numbers of months from 1 to 120.");
                foreach (var d in m.Discounts ?? [])
                    if (d is null || d.MinMonths < 1 || d.Percent is <= 0 or >= 100)
                        v.Add($"{f}.discounts", "A discount needs minMonths of 1 or more and a percent above 0 and below 100.");
            }
            if (c.BillingModes.Where(m => m is not null).GroupBy(m => m.Code).Any(g => g.Count() > 1))
                v.Add("billingModes", "Billing mode codes must be unique.");
        }

        if (c.Specs is not { Count: > 0 }) v.Add("specs", "At least one spec is required.");
        else
        {
            for (var i = 0; i < c.Specs.Count; i++)
            {
                var s = c.Specs[i];
                var f = $"specs[{i}]";
                if (s is null) { v.Add(f, "The spec is empty."); continue; }
                CheckCodeAndName(v, f, s.Code, s.Name);
                if (s.MonthlyFee < 0) v.Add($"{f}.monthlyFee", "monthlyFee cannot be negative.");
                if (s.MaxSeats < 1) v.Add($"{f}.maxSeats", "maxSeats must be 1 or more.");
            }
            if (c.Specs.Where(s => s is not null).GroupBy(s => s.Code).Any(g => g.Count() > 1))
                v.Add("specs", "Spec codes must be unique.");
        }

        if (c.SeatPrices is null) v.Add("seatPrices", "seatPrices is required.");
        else if (c.SeatPrices.Voice < 0 || c.SeatPrices.Video < 0 || c.SeatPrices.Multimedia < 0)
            v.Add("seatPrices", "Seat prices cannot be negative.");

        if (c.Trial is null) v.Add("trial", "trial is required.");
        else
        {
            if (c.Trial.Days is < 1 or > 365) v.Add("trial.days", "A trial lasts 1 to 365 days.");
            if (c.Trial.VoiceSeats < 0 || c.Trial.VideoSeats < 0 || c.Trial.MultimediaSeats < 0
                || c.Trial.VoiceSeats + c.Trial.VideoSeats + c.Trial.MultimediaSeats is < 1 or > 50)
                v.Add("trial", "A trial has 1 to 50 seats in total, none negative.");
        }
    }

    private static void CheckCodeAndName(Validation v, string field, string? code, LocalizedName? name)
    {
        if (code is null || !CodePattern().IsMatch(code)) v.Add($"{field}.code", "A code is 1 to 32 letters or digits, starting with a letter.");
        if (name is null || string.IsNullOrWhiteSpace(name.Zh) || string.IsNullOrWhiteSpace(name.En)
            || name.Zh.Length > 64 || name.En.Length > 64)
            v.Add($"{field}.name", "A name needs zh and en, each 1 to 64 characters.");
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,31}$")]
    private static partial Regex CodePattern();
}
