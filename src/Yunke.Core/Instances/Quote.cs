using Yunke.Core.Common;
using Yunke.Core.Offerings;

namespace Yunke.Core.Instances;

public sealed record Seats(int Voice, int Video, int Multimedia)
{
    public int Total => Voice + Video + Multimedia;
}

/// <summary>One line of an itemised price; <see cref="Amount"/> = quantity × unit price × months, to the cent.</summary>
public sealed record QuoteLine(string Item, string Description, int Quantity, decimal UnitPrice, int Months, decimal Amount);

public sealed record Quote(string Currency, IReadOnlyList<QuoteLine> Lines, decimal Total);

/// <summary>A number going onto the instance, with the rent it costs a month.</summary>
public sealed record QuotedNumber(string Number, decimal MonthlyRent);

/// <summary>
/// The price of an instance, from the catalog alone: the spec's platform fee, each seat type, each
/// number's rent, for the period; then the billing mode's discount as a line of its own.
/// Pure, so the arithmetic is tested without a database.
/// </summary>
public static class Pricing
{
    /// <summary>Checks mode, spec, period and seats against the catalog; answers the months to charge.</summary>
    public static (BillingMode Mode, Spec Spec, int Months) Check(Validation v, Catalog catalog,
        string? billingMode, string? spec, Seats? seats, int? periodMonths)
    {
        var mode = catalog.Mode(billingMode);
        var size = catalog.FindSpec(spec);
        if (mode is null)
            v.Add("billingMode", $"billingMode must be one of: {string.Join(", ", catalog.BillingModes.Select(m => m.Code))}.");
        if (size is null)
            v.Add("spec", $"spec must be one of: {string.Join(", ", catalog.Specs.Select(s => s.Code))}.");

        var months = 1;
        if (mode?.Kind == BillingKind.Prepaid)
        {
            if (periodMonths is not { } p || !mode.PeriodMonths.Contains(p))
                v.Add("periodMonths", $"periodMonths must be one of: {string.Join(", ", mode.PeriodMonths)}.");
            else months = p;
        }
        else if (mode?.Kind == BillingKind.PayPerUse && periodMonths is not (null or 1))
            v.Add("periodMonths", "Pay per use has no purchase period: leave periodMonths out (the quote is a monthly estimate).");

        if (seats is null) v.Add("seats", "seats is required.");
        else if (seats.Voice < 0 || seats.Video < 0 || seats.Multimedia < 0) v.Add("seats", "Seat counts cannot be negative.");
        else if (seats.Total == 0) v.Add("seats", "Choose at least one seat.");
        else if (size is not null && seats.Total > size.MaxSeats)
            v.Add("seats", $"The {size.Code} spec holds at most {size.MaxSeats} seats; {seats.Total} were asked for.");
        return (mode!, size!, months);
    }

    public static Quote Price(Catalog catalog, BillingMode mode, Spec spec, Seats seats, int months,
        IReadOnlyList<QuotedNumber> numbers)
    {
        var lines = new List<QuoteLine> { Line("spec", $"{spec.Name} platform fee", 1, spec.MonthlyFee, months) };
        if (seats.Voice > 0) lines.Add(Line("seat.voice", "Voice seats / 语音座席", seats.Voice, catalog.SeatPrices.Voice, months));
        if (seats.Video > 0) lines.Add(Line("seat.video", "Video seats / 视频座席", seats.Video, catalog.SeatPrices.Video, months));
        if (seats.Multimedia > 0) lines.Add(Line("seat.multimedia", "Multimedia seats / 多媒体座席", seats.Multimedia, catalog.SeatPrices.Multimedia, months));
        foreach (var n in numbers) lines.Add(Line("number", $"Number {n.Number} rent / 号码月租", 1, n.MonthlyRent, months));

        if (mode.DiscountFor(months) is { } discount)
        {
            var off = -Round(lines.Sum(l => l.Amount) * discount.Percent / 100m);
            if (off != 0)
                lines.Add(new QuoteLine("discount", $"{mode.Name}: {discount.Percent:0.##}% off for {discount.MinMonths}+ months", 1, off, 1, off));
        }
        return new Quote(catalog.Currency, lines, lines.Sum(l => l.Amount));
    }

    private static QuoteLine Line(string item, string description, int quantity, decimal unitPrice, int months) =>
        new(item, description, quantity, unitPrice, months, Round(quantity * unitPrice * months));

    private static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}
