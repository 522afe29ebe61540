using Microsoft.Extensions.Options;
using Ticketing.Abstractions.OnSales;
using Ticketing.Grains.OnSales;

namespace Ticketing.Grains.Tests;

public sealed class AdmissionPassesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);

    private static readonly OnSaleRules OnSale = new(Guid.NewGuid(), Guid.NewGuid(), Now, 600, 10, null);

    private readonly AdmissionPasses passes = new(Options.Create(new PassOptions { PassKey = "a key of the silos, long enough to be one" }));

    [Fact]
    public void TheBuyersOwnPass_IsValidUntilItExpires()
    {
        var pass = passes.Issue(OnSale, "ann", Now.AddMinutes(10));

        Assert.Equal(PassCheck.Valid, passes.Check(pass, OnSale, "ann", Now));
        Assert.Equal(PassCheck.Valid, passes.Check(pass, OnSale, "ann", Now.AddMinutes(10).AddSeconds(-1)));
        Assert.Equal(PassCheck.Expired, passes.Check(pass, OnSale, "ann", Now.AddMinutes(10)));
    }

    [Fact]
    public void AnotherBuyersPass_OrAnotherOnSalesPass_IsInvalid()
    {
        var pass = passes.Issue(OnSale, "ann", Now.AddMinutes(10));

        Assert.Equal(PassCheck.Invalid, passes.Check(pass, OnSale, "bob", Now));
        Assert.Equal(PassCheck.Invalid, passes.Check(pass, OnSale with { Id = Guid.NewGuid() }, "ann", Now));
        Assert.Equal(PassCheck.Invalid, passes.Check(pass, OnSale with { EventId = Guid.NewGuid() }, "ann", Now));
    }

    [Fact]
    public void APassSignedWithAnotherKey_OrAltered_IsInvalid()
    {
        var elsewhere = new AdmissionPasses(Options.Create(new PassOptions { PassKey = "some other deployment's key, also long" }));
        var pass = passes.Issue(OnSale, "ann", Now.AddMinutes(10));
        var later = passes.Issue(OnSale, "ann", Now.AddMinutes(600));
        var parts = pass.Split('.');
        var laterParts = later.Split('.');

        Assert.Equal(PassCheck.Invalid, passes.Check(elsewhere.Issue(OnSale, "ann", Now.AddMinutes(10)), OnSale, "ann", Now));
        Assert.Equal(PassCheck.Invalid, passes.Check($"{parts[0]}.{laterParts[1]}.{parts[2]}", OnSale, "ann", Now));
        Assert.Equal(PassCheck.Invalid, passes.Check("p1.not-base64!.x", OnSale, "ann", Now));
        Assert.Equal(PassCheck.Invalid, passes.Check(pass + "x", OnSale, "ann", Now));
        Assert.Equal(PassCheck.Missing, passes.Check(null, OnSale, "ann", Now));
        Assert.Equal(PassCheck.Missing, passes.Check("", OnSale, "ann", Now));
    }
}
