
namespace Ticketing.Testing;

/// <summary>One database and one running API silo shared by the tests of a class.</summary>
/// <remarks>A class whose tests need other settings derives from it and says why.</remarks>
public class ApiFixture : IAsyncLifetime
{
    public TicketingApp App { get; private set; } = null!;

    public TestDatabase Database => App.Database;

    /// <summary>Settings over the silo's defaults; none unless a derived fixture says.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    public async Task InitializeAsync()
    {
        App = new TicketingApp(await TestDatabase.CreateAsync(), Settings).Start(); // migrations, silo, web
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await App.Database.DisposeAsync();
    }
}
