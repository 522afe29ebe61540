using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Ticketing.Testing;

/// <summary>The answers to the many concurrent requests of a rush, kept for the assertions made once it is over.</summary>
public sealed class AnswerLog
{
    private readonly ConcurrentQueue<Answer> answers = new();

    public IReadOnlyList<Answer> All => [.. answers];

    public int Count(Func<Answer, bool> which) => answers.Count(which);

    /// <summary>Sends a request and keeps its answer; a request that got none (the silo was killed) is kept with why.</summary>
    public async Task<Answer> SendAsync(string silo, string request, Func<Task<HttpResponseMessage>> send)
    {
        Answer answer;
        try
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            answer = new Answer(
                silo, request, DateTime.UtcNow, (int)response.StatusCode,
                response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? Read(body, "type")?.GetString() : null,
                response.Headers.RetryAfter?.ToString(),
                response.StatusCode == HttpStatusCode.Created ? Read(body, "id")?.GetGuid() : null,
                body,
                null);
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException or IOException)
        {
            answer = new Answer(silo, request, DateTime.UtcNow, 0, null, null, null, "", failure);
        }

        answers.Enqueue(answer);
        return answer;
    }

    private static JsonElement? Read(string body, string property)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty(property, out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
