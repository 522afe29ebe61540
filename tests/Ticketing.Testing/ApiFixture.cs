
namespace Ticketing.Testing;

/// <summary>One database and one running API silo shared by the tests of a class.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public TicketingApp App { get; private set; } = null!;

    public TestDatabase Database => App.Database;

    public async Task InitializeAsync()
    {
        App = new TicketingApp(await TestDatabase.CreateAsync()).Start(); // migrations, silo, web
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await App.Database.DisposeAsync();
    }
}
