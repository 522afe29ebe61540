using System.Security.Cryptography;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>Ids shaped like Stripe's: a prefix and random letters and digits.</summary>
public static class StripeIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix) => $"{prefix}_{Random(24)}";

    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
