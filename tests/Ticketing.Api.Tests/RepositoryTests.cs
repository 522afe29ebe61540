using System.Diagnostics;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// What the repository itself must hold. A clone is all a newcomer has: a
/// path that leads out of it, to the brief the team was handed beside the
/// repository, is a dead link there, and the project documents itself in its
/// own words (docs/).
/// </summary>
public sealed class RepositoryTests
{
    private static readonly string Root = PostgresServer.RepositoryRoot();

    /// <summary>Built here, so that this file does not name it.</summary>
    private static readonly string[] OutsideBrief = [string.Join('/', "..", "shared"), string.Join('\\', "..", "shared")];

    [Fact]
    public async Task TrackedFiles_NeverNameTheOutsideBrief()
    {
        var tracked = await TrackedFilesAsync();
        Assert.Contains("README.md", tracked);

        var naming = new List<string>();
        foreach (var file in tracked)
        {
            var path = Path.Combine(Root, file);
            if (!File.Exists(path))
            {
                continue; // deleted in the working tree, not yet committed
            }

            var bytes = await File.ReadAllBytesAsync(path);
            if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8000)) >= 0)
            {
                continue; // binary
            }

            var text = System.Text.Encoding.UTF8.GetString(bytes);
            if (OutsideBrief.Any(name => text.Contains(name, StringComparison.Ordinal)))
            {
                naming.Add(file);
            }
        }

        Assert.True(naming.Count == 0, $"Tracked files naming {OutsideBrief[0]} (point to docs/ instead): {string.Join(", ", naming)}");
    }

    private static async Task<IReadOnlyList<string>> TrackedFilesAsync()
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", Root, "ls-files", "-z"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not start git.");
        var output = git.StandardOutput.ReadToEndAsync();
        var errors = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git ls-files failed in {Root}: {await errors}");
        return (await output).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
