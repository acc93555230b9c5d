using Yunke.Core.Common;
using Yunke.Core.Offerings;

namespace Yunke.Core.Tests.Offerings;

public sealed class CatalogTests
{
    [Fact]
    public void The_default_catalog_is_valid_and_offers_the_seed_periods()
    {
        var v = new Validation();
        Catalog.Validate(v, Catalog.Default);
        v.IsValid.ShouldBeTrue();
        Catalog.Default.Mode("prepaid")!.PeriodMonths.ShouldBe([1, 3, 6, 12, 24, 36]);
        Catalog.Default.Mode("prepaid")!.DiscountFor(12).ShouldNotBeNull();
        Catalog.Default.Mode("prepaid")!.DiscountFor(6).ShouldBeNull();
    }

    [Fact]
    public void Broken_catalogs_name_each_bad_field()
    {
        var broken = Catalog.Default with
        {
            Currency = "yuan",
            BillingModes = [Catalog.Default.BillingModes[0] with { PeriodMonths = [] }, Catalog.Default.BillingModes[0]],
            Specs = [Catalog.Default.Specs[0] with { MaxSeats = 0, MonthlyFee = -1, Name = new("", "Basic") }],
            SeatPrices = new SeatPrices(-1, 0, 0),
        };
        var v = new Validation();
        Catalog.Validate(v, broken);
        foreach (var field in new[] { "currency", "billingModes[0].periodMonths", "billingModes", "specs[0].maxSeats", "specs[0].monthlyFee", "specs[0].name", "seatPrices" })
            v.Has(field).ShouldBeTrue(field);
    }
}
