using System.ComponentModel.DataAnnotations;

namespace Ticketing.Api.Hosting;

/// <summary>
/// Where an operator's tools live, for the console to link to
/// (<c>Ticketing:Operations</c>). The Orleans dashboard is the silo's own;
/// Grafana runs elsewhere, so only its address set here is linked.
/// </summary>
internal sealed class OperationsLinks : IValidatableObject
{
    public const string Section = "Ticketing:Operations";

    /// <summary>The Orleans dashboard, served by the silo (<see cref="SiloSetup.MapTicketingDashboard"/>).</summary>
    public const string Dashboard = "/dashboard";

    /// <summary>Grafana's address as an operator's browser reaches it; unset: the console names none.</summary>
    public string? GrafanaUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GrafanaUrl is not null && !(Uri.TryCreate(GrafanaUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"{Section}:{nameof(GrafanaUrl)} must be an absolute http or https address.", [nameof(GrafanaUrl)]);
        }
    }
}
