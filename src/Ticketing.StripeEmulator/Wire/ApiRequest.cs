using Ticketing.StripeEmulator.Events;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>
/// One call to the emulated API: its parameters (the form body of a POST, the
/// query string otherwise) and what events it causes record as their request.
/// </summary>
public sealed record ApiRequest(FormParameters Parameters, EventRequest Origin)
{
    private const string RequestIdItem = "Stripe.RequestId";

    public static async ValueTask<ApiRequest?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        var parameters = request.HasFormContentType
            ? FormParameters.From(await request.ReadFormAsync(context.RequestAborted))
            : FormParameters.From(request.Query);
        var idempotencyKey = HttpMethods.IsPost(request.Method) ? IdempotencyKeyOf(request) : null;
        return new ApiRequest(parameters, new EventRequest(IdOf(context), idempotencyKey));
    }

    /// <summary>The <c>req_...</c> id of this HTTP request, made on first use.</summary>
    public static string IdOf(HttpContext context)
    {
        if (context.Items[RequestIdItem] is not string id)
        {
            id = StripeIds.New("req");
            context.Items[RequestIdItem] = id;
        }

        return id;
    }

    public static string? IdempotencyKeyOf(HttpRequest request) =>
        request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
}
