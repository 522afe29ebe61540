using Microsoft.Extensions.Primitives;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Tests;

public sealed class FormParametersTests
{
    [Fact]
    public void Hash_ReadsOneLevelOfBracketsAndDropsEmptyValues()
    {
        var parameters = Parse(("metadata[order_id]", "42"), ("metadata[gone]", ""), ("metadata[a][b]", "nested"), ("metadataX[y]", "other"));

        var metadata = parameters.Hash("metadata");

        Assert.Equal(new Dictionary<string, string> { ["order_id"] = "42" }, metadata);
    }

    [Fact]
    public void Array_ReadsEmptyAndIndexedBrackets()
    {
        var parameters = Parse(("expand[]", "latest_charge"), ("expand[1]", "customer"), ("expand[x]", "no"));

        Assert.Equal(["latest_charge", "customer"], parameters.Array("expand"));
    }

    [Fact]
    public void Integer_WhenNotANumber_ThrowsParameterInvalidInteger()
    {
        var refused = Assert.Throws<StripeApiException>(() => Parse(("amount", "12.5")).Integer("amount"));

        Assert.Equal(400, refused.StatusCode);
        Assert.Equal("parameter_invalid_integer", refused.Error.Code);
        Assert.Equal("amount", refused.Error.Param);
        Assert.True(refused.IsParameterError);
    }

    [Fact]
    public void Fingerprint_IgnoresTheOrderOfParameters()
    {
        var one = Parse(("amount", "1"), ("currency", "usd"), ("metadata[a]", "b"));
        var other = Parse(("metadata[a]", "b"), ("amount", "1"), ("currency", "usd"));

        Assert.Equal(one.Fingerprint, other.Fingerprint);
        Assert.NotEqual(one.Fingerprint, Parse(("amount", "2"), ("currency", "usd"), ("metadata[a]", "b")).Fingerprint);
    }

    private static FormParameters Parse(params (string Key, string Value)[] fields) =>
        FormParameters.From(fields.Select(f => KeyValuePair.Create(f.Key, new StringValues(f.Value))));
}
