using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>A client of the running server's REST API that fails loudly with the problem details it got.</summary>
public sealed class Api(Uri baseAddress, string? token = null) : IDisposable
{
    private readonly HttpClient http = Authorized(new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) }, token);

    public Uri BaseAddress => baseAddress;

    public async Task<Api> LoginAsync(string account, string password)
    {
        var login = await PostAsync("/api/v1/auth/login", new { account, password });
        return new Api(baseAddress, login.GetProperty("accessToken").GetString());
    }

    public async Task<JsonElement> GetAsync(string path) => await ReadAsync(await http.GetAsync(path));

    public async Task<JsonElement> PostAsync(string path, object? body = null) => await ReadAsync(await http.PostAsJsonAsync(path, body ?? new { }));

    public async Task<JsonElement> PutAsync(string path, object body) => await ReadAsync(await http.PutAsJsonAsync(path, body));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}",
                null, response.StatusCode);
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    private static HttpClient Authorized(HttpClient client, string? token)
    {
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public void Dispose() => http.Dispose();
}
