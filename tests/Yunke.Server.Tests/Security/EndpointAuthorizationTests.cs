using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Security;

/// <summary>Walks every API endpoint the server maps: each one but the few public ones refuses a caller without a token.</summary>
public sealed partial class EndpointAuthorizationTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly string[] Public = ["/api/v1/auth/login", "/api/v1/signup", "/api/v1/offerings"];

    [Fact]
    public async Task Every_api_endpoint_but_the_public_ones_answers_401_without_a_token()
    {
        var client = app.CreateClient();
        var endpoints = ApiEndpoints().Where(e => !Public.Contains(e.Path)).ToList();
        endpoints.Count.ShouldBeGreaterThan(10);

        foreach (var (method, path) in endpoints)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            var response = await client.SendAsync(request);
            ((int)response.StatusCode).ShouldBe(401, $"{method} {path}");
        }
    }

    [Fact]
    public async Task Every_operator_endpoint_answers_403_to_a_cloud_account()
    {
        var account = await app.NewCloudAccountAsync();
        var endpoints = ApiEndpoints().Where(e => e.Path.StartsWith("/api/v1/operator/")).ToList();
        endpoints.Count.ShouldBeGreaterThan(3);
        foreach (var (method, path) in endpoints)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            ((int)(await account.Http.SendAsync(request)).StatusCode).ShouldBe(403, $"{method} {path}");
        }
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlIjoib3BlcmF0b3IifQ.c2lnbmF0dXJl");
        ((int)(await client.GetAsync("/api/v1/operator/accounts")).StatusCode).ShouldBe(401);
    }

    private IEnumerable<(string Method, string Path)> ApiEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Path: Concrete(e.RoutePattern.RawText!))));

    /// <summary>Fills route parameters with plausible values, so the request reaches the endpoint's authorization.</summary>
    private static string Concrete(string pattern) => Parameter().Replace(pattern, m =>
        m.Value.Contains(":guid") ? Guid.NewGuid().ToString() : m.Value.Contains(":int") || m.Value.Contains(":long") ? "1" : "x");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
