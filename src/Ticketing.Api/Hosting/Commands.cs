using Ticketing.Api.Auth;
using Ticketing.Persistence.Migrations;

namespace Ticketing.Api.Hosting;

/// <summary>The silo's one-shot commands: <c>migrate</c> and <c>token</c>.</summary>
internal static class Commands
{
    public static async Task<int> MigrateAsync(IConfiguration configuration)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var migrator = new SchemaMigrator(DatabaseSetup.ConnectionString(configuration), loggers.CreateLogger("Migrations"));
        await migrator.ApplyAsync(CancellationToken.None);
        return 0;
    }

    /// <summary><c>token --user alice --role organizer [--role buyer] [--org acme] [--event id] [--hours 12]</c></summary>
    public static int PrintToken(IConfiguration configuration, string[] args)
    {
        string? user = null;
        var roles = new List<string>();
        var organizations = new List<string>();
        var events = new List<Guid>();
        var hours = 12.0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--user": user = args[i + 1]; break;
                case "--role": roles.Add(args[i + 1]); break;
                case "--org": organizations.Add(args[i + 1]); break;
                case "--event" when Guid.TryParse(args[i + 1], out var eventId): events.Add(eventId); break;
                case "--event": return Usage($"--event takes an event id (a UUID), not '{args[i + 1]}'");
                case "--hours": hours = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default: return Usage($"unknown option {args[i]}");
            }
        }

        if (args.Length % 2 != 0 || string.IsNullOrWhiteSpace(user) || roles.Count == 0)
        {
            return Usage("--user and at least one --role are required");
        }

        if (roles.Except(Roles.All).FirstOrDefault() is { } unknown)
        {
            return Usage($"unknown role '{unknown}' (roles: {string.Join(", ", Roles.All)})");
        }

        var options = AuthOptions.From(configuration);
        Console.WriteLine(TokenMinter.Mint(options, user, roles, organizations, events, TimeSpan.FromHours(hours)));
        return 0;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"token: {problem}");
        Console.Error.WriteLine("usage: Ticketing.Api token --user <id> --role <organizer|buyer|scanner|operator> [--role ...]");
        Console.Error.WriteLine("                            [--org <organization> ...] [--event <event id> ...] [--hours 12]");
        Console.Error.WriteLine("  --org: the organizations an organizer or scanner acts for (default: the personal one named by --user)");
        Console.Error.WriteLine("  --event: narrows a scanner to these events");
        return 2;
    }
}
