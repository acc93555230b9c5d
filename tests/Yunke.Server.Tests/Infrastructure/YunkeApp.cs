using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>
/// The real server in memory, on a real database file (SQLite) or a real PostgreSQL database,
/// each fixture with its own empty data folder.
/// </summary>
public abstract class YunkeApp : WebApplicationFactory<Program>
{
    public const string OperatorPassword = "Operator#2026";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string DataDir { get; init; } = Path.Combine(Path.GetTempPath(), "yunke-tests", Guid.NewGuid().ToString("N"));
    /// <summary>Leaves the data folder behind when disposed, so a second app can start on it (restart tests).</summary>
    public bool KeepData { get; set; }
    /// <summary>Free loopback ports for SIP (UDP and TCP alike): registrar 1 and the pool registrar.</summary>
    public int SipPort { get; } = FreePorts.Next();
    public int SipPoolPort { get; } = FreePorts.Next();
    /// <summary>Where Yunke sends calls to customers (Yunke:Sip:Trunk); a test's fake carrier listens there.</summary>
    public int TrunkPort { get; } = FreePorts.Next();
    /// <summary>Short enough for expiry tests to wait for: 423 below it, 1 s purge sweeps.</summary>
    public const int MinExpires = 2;
    /// <summary>Short enough for no-answer tests to wait for.</summary>
    public const int RingTimeoutSeconds = 3;
    /// <summary>More settings for this app only (e.g. short call timers for a test that waits for them).</summary>
    public Dictionary<string, string> Settings { get; init; } = [];
    protected abstract string Provider { get; }
    protected abstract string? ConnectionString { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Yunke:DataDir", DataDir);
        builder.UseSetting("Yunke:Database:Provider", Provider);
        builder.UseSetting("Yunke:Database:ConnectionString", ConnectionString);
        builder.UseSetting("Yunke:Operator:Password", OperatorPassword);
        builder.UseSetting("Yunke:Sip:Port", SipPort.ToString());
        builder.UseSetting("Yunke:Sip:PoolPort", SipPoolPort.ToString());
        builder.UseSetting("Yunke:Sip:MinExpires", MinExpires.ToString());
        builder.UseSetting("Yunke:Calls:RingTimeoutSeconds", RingTimeoutSeconds.ToString());
        builder.UseSetting("Yunke:Sip:Trunk", $"127.0.0.1:{TrunkPort}");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Testing");
    }

    /// <summary>A client with no token.</summary>
    public ApiClient Anonymous() => new(CreateClient(), null);

    public async Task<ApiClient> LoginAsync(string account, string password)
    {
        var anon = Anonymous();
        var login = await anon.PostAsync<JsonElement>("/api/v1/auth/login", new { account, password });
        return new ApiClient(CreateClient(), login.GetProperty("accessToken").GetString());
    }

    public Task<ApiClient> OperatorAsync() => LoginAsync("operator", OperatorPassword);

    /// <summary>Signs up a fresh cloud account with a unique name and signs it in.</summary>
    public async Task<ApiClient> NewCloudAccountAsync(string prefix = "acme")
    {
        var account = $"{prefix}{Guid.NewGuid():N}"[..20];
        const string password = "Cloud#Pass2026";
        await Anonymous().PostAsync<JsonElement>("/api/v1/signup",
            new { account, password, email = $"{account}@example.cn", phone = "13800138000" });
        var client = await LoginAsync(account, password);
        client.Account = account;
        client.Password = password;
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!KeepData)
            try { Directory.Delete(DataDir, true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>On SQLite; a fixture that needs its own settings derives from it and sets <see cref="YunkeApp.Settings"/>.</summary>
public class SqliteApp : YunkeApp
{
    protected override string Provider => "sqlite";
    protected override string? ConnectionString => null;
}

public sealed class PostgresApp : YunkeApp
{
    private readonly Lazy<string> connection = new(PostgresCluster.CreateDatabase);
    protected override string Provider => "postgres";
    protected override string? ConnectionString => connection.Value;
}

/// <summary>An HTTP client that speaks the API's JSON and fails loudly with the problem details it got.</summary>
public sealed class ApiClient(HttpClient http, string? token)
{
    public HttpClient Http { get; } = Authorize(http, token);
    public string? Token { get; } = token;
    public string Account { get; set; } = "";
    public string Password { get; set; } = "";

    private static HttpClient Authorize(HttpClient http, string? token)
    {
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<T> GetAsync<T>(string path) => await Read<T>(await Http.GetAsync(path));

    public async Task<T> PostAsync<T>(string path, object? body = null) =>
        await Read<T>(await Http.PostAsJsonAsync(path, body ?? new { }, YunkeApp.Json));

    public async Task<T> PutAsync<T>(string path, object body) => await Read<T>(await Http.PutAsJsonAsync(path, body, YunkeApp.Json));

    public Task<HttpResponseMessage> SendPostAsync(string path, object? body = null) =>
        Http.PostAsJsonAsync(path, body ?? new { }, YunkeApp.Json);

    private static async Task<T> Read<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}", null, response.StatusCode);
        return JsonSerializer.Deserialize<T>(text, YunkeApp.Json)!;
    }
}

/// <summary>Reads an RFC 7807 response.</summary>
public static class ProblemAssertions
{
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, int status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        if (code is not null) problem.GetProperty("code").GetString().ShouldBe(code, text);
        return problem;
    }
}
