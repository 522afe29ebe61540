namespace Ticketing.StripeEmulator.Checkout;

/// <summary>303 See Other: after a form's POST the browser GETs the location, and reloading it posts nothing again.</summary>
public sealed record SeeOther(string Location) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        httpContext.Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }
}
