using System.Net.Http.Json;
using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Staff;

/// <summary>Employees for the employee-center tests: created by a tenant admin, signed in past their first password change.</summary>
public static class StaffSteps
{
    public const string FirstPassword = "First#Pass2026";
    public const string OwnPassword = "Own#Pass2026x";

    public static string NewAccountName(string prefix = "emp") => $"{prefix}{Guid.NewGuid():N}"[..18];

    public static object Employee(string account, string[] roles, string password = FirstPassword, string? supervisor = null,
        string? organizationId = null, string name = "张三", string? department = "客服一部") => new
    {
        account, name, gender = "male", department, phone = "13900139000", email = $"{account}@example.cn",
        password, roles, supervisor, organizationId,
    };

    public static async Task<JsonElement> AddEmployeeAsync(this Tenant tenant, string[] roles, string? account = null,
        string? supervisor = null, string? organizationId = null) =>
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/employees",
            Employee(account ?? NewAccountName(), roles, supervisor: supervisor, organizationId: organizationId));

    /// <summary>An employee with these roles, signed in after changing its first password.</summary>
    public static async Task<ApiClient> SignedInEmployeeAsync(this YunkeApp app, Tenant tenant, params string[] roles)
    {
        var account = (await tenant.AddEmployeeAsync(roles)).Str("account");
        var first = await app.LoginAsync(account, FirstPassword);
        await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = FirstPassword, newPassword = OwnPassword });
        var client = await app.LoginAsync(account, OwnPassword);
        client.Account = account;
        client.Password = OwnPassword;
        return client;
    }

    public static Task<HttpResponseMessage> SendAsync(this ApiClient client, HttpMethod method, string path, object? body = null) =>
        client.Http.SendAsync(new HttpRequestMessage(method, path)
        {
            Content = body is null ? null : JsonContent.Create(body, options: YunkeApp.Json),
        });

    public static async Task<JsonElement> ErrorsOf(this HttpResponseMessage response, int status, string code, string field)
    {
        var problem = await response.ShouldBeProblemAsync(status, code);
        problem.GetProperty("errors").TryGetProperty(field, out var messages).ShouldBeTrue(problem.ToString());
        return messages;
    }

    public static Task<HttpResponseMessage> LoginResponseAsync(this YunkeApp app, string account, string password) =>
        app.Anonymous().SendPostAsync("/api/v1/auth/login", new { account, password });
}
