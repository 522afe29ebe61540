using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;
using Ticketing.Abstractions.Tickets;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Grains;
using Ticketing.Persistence.Tickets;

namespace Ticketing.Api.Apis;

internal static class TicketsApi
{
    public static void MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var tickets = app.MapGroup("/api/tickets").WithTags("Tickets").RequireAuthorization(Roles.BuyerOrOrganizer);
        tickets.MapGet("/{ticketId:guid}", GetTicket);
        tickets.MapGet("/{ticketId:guid}/qr.svg", GetQrSvg).RequireAuthorization(Roles.Buyer);
        tickets.MapGet("/{ticketId:guid}/qr.png", GetQrPng).RequireAuthorization(Roles.Buyer);
        tickets.MapPost("/{ticketId:guid}/reissue", ReissueCode)
            .MayAnswer(StatusCodes.Status409Conflict, "`ticket-not-valid`: only an issued ticket gets a new code.");

        app.MapPost("/api/scans", Scan).WithTags("Scans").RequireAuthorization(Roles.Scanner).RequireRateLimiting(RateLimits.Scans)
            .MayAnswer(StatusCodes.Status403Forbidden, "`forbidden`: this scanner does not work the gates of the event; nothing was admitted or recorded.");
    }

    /// <summary>Get a ticket</summary>
    /// <remarks>Only the ticket's owner sees its QR token; the event's organizer sees the rest.</remarks>
    public static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> GetTicket(
        Guid ticketId, ClaimsPrincipal user, TicketStore tickets, EventAccess access, CancellationToken cancellationToken) =>
        await Visible(ticketId, user, tickets, access, cancellationToken) is { } owned
            ? TypedResults.Ok(TicketResponse.From(owned.Ticket, showToken: owned.UserId == user.UserId()))
            : Problem.NotFound($"No ticket {ticketId}.");

    /// <summary>A ticket's QR code as SVG</summary>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetQrSvg(
        Guid ticketId, ClaimsPrincipal user, TicketStore tickets, CancellationToken cancellationToken) =>
        await OwnCode(ticketId, user, tickets, cancellationToken) is { } code
            ? TypedResults.Text(new SvgQRCode(code).GetGraphic(8), "image/svg+xml")
            : Problem.NotFound($"No ticket {ticketId} with a live code of yours.");

    /// <summary>A ticket's QR code as PNG</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetQrPng(
        Guid ticketId, ClaimsPrincipal user, TicketStore tickets, CancellationToken cancellationToken) =>
        await OwnCode(ticketId, user, tickets, cancellationToken) is { } code
            ? TypedResults.File(new PngByteQRCode(code).GetGraphic(8), "image/png")
            : Problem.NotFound($"No ticket {ticketId} with a live code of yours.");

    /// <summary>Reissue a ticket's code</summary>
    /// <remarks>A new code for a ticket whose code leaked: the old one answers revoked from now on.</remarks>
    public static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> ReissueCode(
        Guid ticketId, ClaimsPrincipal user, TicketStore tickets, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (await Visible(ticketId, user, tickets, access, cancellationToken) is not { } owned)
        {
            return Problem.NotFound($"No ticket {ticketId}.");
        }

        if (await grains.Reference<ITicketGrain>(ticketId).Reissue() is null)
        {
            return Problem.Conflict("ticket-not-valid", "Ticket not valid.", $"Ticket {ticketId} is {owned.Ticket.Status}; only a valid ticket gets a new code.");
        }

        var reissued = await tickets.FindAsync(ticketId, cancellationToken);
        return TypedResults.Ok(TicketResponse.From(reissued!.Ticket, showToken: owned.UserId == user.UserId()));
    }

    /// <summary>Scan a ticket at a gate</summary>
    /// <remarks>
    /// Checks a code read at the gate of an event and admits its ticket once;
    /// <c>result</c> says whether to let the holder in. <c>already_admitted</c>
    /// carries the first admission's time and gate (<c>firstScannedAt</c>,
    /// <c>firstGate</c>; the gate is null when that scan named none).
    /// </remarks>
    public static async Task<Results<Ok<ScanResponse>, ProblemHttpResult>> Scan(
        ScanRequest request, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        // Refused before the gate sees the code: nothing is admitted or recorded.
        if (!await access.MayScanAsync(user, request.EventId!.Value, cancellationToken))
        {
            return Problem.Forbidden($"This scanner does not work the gates of event {request.EventId}.");
        }

        // Codes are looked up, never parsed: a code says nothing about its ticket.
        var result = await grains.Reference<IGateGrain>(0).Scan(request.Token!, request.EventId!.Value, request.Gate);
        return TypedResults.Ok(ScanResponse.From(result));
    }

    /// <summary>The ticket, when the caller bought it or organizes its event; nobody else learns that it exists.</summary>
    private static async Task<OwnedTicket?> Visible(Guid ticketId, ClaimsPrincipal user, TicketStore tickets, EventAccess access, CancellationToken cancellationToken) =>
        await tickets.FindAsync(ticketId, cancellationToken) is { } owned
        && (owned.UserId == user.UserId() || await access.OrganizerOfTierAsync(user, owned.Ticket.TierId, cancellationToken) is not null)
            ? owned
            : null;

    private static async Task<QRCodeData?> OwnCode(Guid ticketId, ClaimsPrincipal user, TicketStore tickets, CancellationToken cancellationToken)
    {
        if (await tickets.FindAsync(ticketId, cancellationToken) is not { Ticket.QrToken: { } token } owned || owned.UserId != user.UserId())
        {
            return null;
        }

        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(token, QRCodeGenerator.ECCLevel.Q);
    }
}

internal sealed record ScanRequest(string? Token, Guid? EventId, string? Gate)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Token is not { Length: > 0 } || !Text.IsClean(Token, 200))
        {
            errors["token"] = ["token is required: the code read from the ticket (at most 200 characters, no control characters)."];
        }

        if (EventId is null || EventId == Guid.Empty)
        {
            errors["eventId"] = ["eventId is required: the event this gate admits to."];
        }

        if (Gate is not null && !Text.IsClean(Gate, 100))
        {
            errors["gate"] = ["gate is at most 100 characters, without control characters."];
        }

        return errors;
    }
}

internal sealed record ScanResponse(string Result, Guid? TicketId, Guid? TierId, int ScanCount, DateTimeOffset? FirstScannedAt, string? FirstGate)
{
    public static ScanResponse From(ScanResult result) => new(
        Grains.Tickets.CheckIn.Name(result.Outcome), result.TicketId, result.TierId, result.ScanCount, result.FirstScannedAt, result.FirstGate);
}
