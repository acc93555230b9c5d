using Yunke.Core.Common;
using Yunke.Core.Instances;
using Yunke.Core.Offerings;

namespace Yunke.Core.Tests.Instances;

public sealed class PricingTests
{
    private static readonly Catalog Catalog = new("CNY",
        [
            new BillingMode("prepaid", new("包年/包月", "Prepaid"), BillingKind.Prepaid, [1, 3, 12, 24], [new(12, 10m), new(24, 20m)]),
            new BillingMode("payPerUse", new("按需", "Pay per use"), BillingKind.PayPerUse, [], []),
        ],
        [new Spec("basic", new("基础版", "Basic"), 100m, 5)],
        new SeatPrices(Voice: 10m, Video: 20m, Multimedia: 5m),
        new TrialOffer(30, 2, 1, 1));

    private static Quote Price(string mode, Seats seats, int? months, params QuotedNumber[] numbers)
    {
        var v = new Validation();
        var (m, s, n) = Pricing.Check(v, Catalog, mode, "basic", seats, months);
        v.IsValid.ShouldBeTrue();
        return Pricing.Price(Catalog, m, s, seats, n, numbers);
    }

    [Fact]
    public void Each_line_is_quantity_times_unit_price_times_months_and_the_total_their_sum()
    {
        var quote = Price("prepaid", new Seats(3, 1, 0), 3, new QuotedNumber("02112345678", 50.5m));
        quote.Currency.ShouldBe("CNY");
        quote.Lines.Select(l => (l.Item, l.Quantity, l.UnitPrice, l.Months, l.Amount)).ShouldBe(
        [
            ("spec", 1, 100m, 3, 300m),
            ("seat.voice", 3, 10m, 3, 90m),
            ("seat.video", 1, 20m, 3, 60m),
            ("number", 1, 50.5m, 3, 151.5m),
        ]);
        quote.Total.ShouldBe(601.5m);
    }

    [Fact]
    public void A_long_period_gets_the_largest_discount_it_reaches_as_its_own_negative_line()
    {
        var year = Price("prepaid", new Seats(1, 0, 0), 12);
        year.Lines[^1].Item.ShouldBe("discount");
        year.Lines[^1].Amount.ShouldBe(-(100m + 10m) * 12 * 0.10m);
        year.Total.ShouldBe((100m + 10m) * 12 * 0.90m);

        var twoYears = Price("prepaid", new Seats(1, 0, 0), 24);
        twoYears.Lines[^1].Amount.ShouldBe(-(110m * 24) * 0.20m);
        twoYears.Total.ShouldBe(110m * 24 * 0.80m);

        Price("prepaid", new Seats(1, 0, 0), 3).Lines.ShouldNotContain(l => l.Item == "discount");
    }

    [Fact]
    public void Discounts_are_rounded_to_the_cent()
    {
        var quote = Price("prepaid", new Seats(0, 0, 1), 12, new QuotedNumber("10001", 0.37m));
        // (100 + 5 + 0.37) × 12 = 1264.44; 10 % of it is 126.444 → 126.44
        quote.Lines[^1].Amount.ShouldBe(-126.44m);
        quote.Total.ShouldBe(1138.00m);
    }

    [Fact]
    public void Pay_per_use_is_a_one_month_estimate_and_refuses_a_period()
    {
        var quote = Price("payPerUse", new Seats(1, 1, 1), null);
        quote.Lines.ShouldAllBe(l => l.Months == 1);
        quote.Total.ShouldBe(135m);

        var v = new Validation();
        Pricing.Check(v, Catalog, "payPerUse", "basic", new Seats(1, 0, 0), 12);
        v.Has("periodMonths").ShouldBeTrue();
    }

    [Theory]
    [InlineData(0, 0, 0, "seats")]
    [InlineData(3, 2, 1, "seats")]
    [InlineData(-1, 2, 0, "seats")]
    public void Seats_must_total_between_one_and_the_spec_maximum(int voice, int video, int multimedia, string field)
    {
        var v = new Validation();
        Pricing.Check(v, Catalog, "prepaid", "basic", new Seats(voice, video, multimedia), 1);
        v.Has(field).ShouldBeTrue();
    }

    [Fact]
    public void Exactly_the_spec_maximum_is_allowed()
    {
        var v = new Validation();
        Pricing.Check(v, Catalog, "prepaid", "basic", new Seats(3, 1, 1), 1);
        v.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Unknown_mode_spec_and_period_each_name_their_field()
    {
        var v = new Validation();
        Pricing.Check(v, Catalog, "monthly", "huge", new Seats(1, 0, 0), 1);
        v.Has("billingMode").ShouldBeTrue();
        v.Has("spec").ShouldBeTrue();

        var period = new Validation();
        Pricing.Check(period, Catalog, "prepaid", "basic", new Seats(1, 0, 0), 7);
        period.Has("periodMonths").ShouldBeTrue();
        period.Has("billingMode").ShouldBeFalse();
    }
}
