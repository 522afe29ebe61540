using Npgsql;

namespace Ticketing.Persistence.Sessions;

/// <summary>
/// The rows of the data protection key ring (<c>ticketing.session_keys</c>),
/// as XML text. Data protection reads the ring rarely (at start, then about
/// once a day or when it meets a key it does not know) and calls these
/// synchronously.
/// </summary>
public sealed class SessionKeyStore(NpgsqlDataSource database)
{
    public IReadOnlyList<string> All()
    {
        using var command = database.CreateCommand("SELECT xml FROM ticketing.session_keys ORDER BY id");
        using var reader = command.ExecuteReader();
        var elements = new List<string>();
        while (reader.Read())
        {
            elements.Add(reader.GetString(0));
        }

        return elements;
    }

    public void Add(string name, string xml)
    {
        using var command = database.CreateCommand("INSERT INTO ticketing.session_keys (name, xml) VALUES (@name, @xml)");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("xml", xml);
        command.ExecuteNonQuery();
    }
}
