namespace Ticketing.StripeEmulator.Wire;

/// <summary>
/// Stripe's idempotency keys, per API key: the first request with a key runs
/// and its answer is kept; a repeat with the same parameters gets that answer
/// again, one with other parameters (or to another endpoint) is refused, and one
/// arriving while the first still runs is told to retry.
/// </summary>
public sealed class IdempotentRequests
{
    private readonly Lock gate = new();
    private readonly Dictionary<(string ApiKey, string Key), Entry> entries = [];

    /// <summary>The answer to give instead of running the request, or null when this request now owns the key.</summary>
    public StripeResult? Claim(string apiKey, string key, string fingerprint, string requestId)
    {
        lock (gate)
        {
            if (!entries.TryGetValue((apiKey, key), out var entry))
            {
                entries[(apiKey, key)] = new Entry(fingerprint, requestId, Result: null);
                return null;
            }

            if (entry.Fingerprint != fingerprint)
            {
                return StripeResult.Error(StripeApiException.IdempotencyMismatch(key));
            }

            return entry.Result is { } result
                ? result with { OriginalRequest = entry.RequestId }
                : StripeResult.Error(StripeApiException.IdempotencyKeyInUse(key));
        }
    }

    /// <summary>Keeps the answer of the request that claimed the key, or frees the key when Stripe would keep none.</summary>
    public void Complete(string apiKey, string key, StripeResult? result)
    {
        lock (gate)
        {
            if (result is { Replayable: true })
            {
                entries[(apiKey, key)] = entries[(apiKey, key)] with { Result = result };
            }
            else
            {
                entries.Remove((apiKey, key));
            }
        }
    }

    private sealed record Entry(string Fingerprint, string RequestId, StripeResult? Result);
}
