using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

using Yunke.Server.Tests.Staff;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>Business accounts and agent IDs for configuration tests.</summary>
public static class Staffing
{
    public const string EmployeePassword = "Agent#Pass2026";

    /// <summary>
    /// An agent-role business account of the tenant, created through the employee API and past its
    /// first-login password change, so it signs in with <see cref="EmployeePassword"/>.
    /// </summary>
    public static async Task<string> AddEmployeeAsync(this YunkeApp app, Tenant tenant, string prefix = "agent")
    {
        var name = $"{prefix}{Guid.NewGuid():N}"[..16];
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/employees", StaffSteps.Employee(name, [Roles.Agent]));
        var first = await app.LoginAsync(name, StaffSteps.FirstPassword);
        await first.PostAsync<JsonElement>("/api/v1/auth/password",
            new { currentPassword = StaffSteps.FirstPassword, newPassword = EmployeePassword });
        return name;
    }

    public static async Task<List<JsonElement>> AgentsAsync(this ApiClient admin) =>
        (await admin.GetAsync<JsonElement>("/api/v1/agents?pageSize=200")).Items().ToList();

    public static async Task<List<JsonElement>> QueuesAsync(this ApiClient admin) =>
        (await admin.GetAsync<JsonElement>("/api/v1/skill-queues?pageSize=200")).Items().ToList();

    public static Task<JsonElement> NewQueueAsync(this ApiClient admin, string mediaType = "voice", string? name = null) =>
        admin.PostAsync<JsonElement>("/api/v1/skill-queues", QueueBody(mediaType, name));

    public static object QueueBody(string mediaType = "voice", string? name = null, int maxQueueLength = 20, int maxWaitSeconds = 60,
        int wrapUpSeconds = 5) =>
        new { name = name ?? $"队列-{Guid.NewGuid():N}"[..12], mediaType, maxQueueLength, maxWaitSeconds, wrapUpSeconds };

    public static string[] Strings(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.GetString()!).ToArray();

    /// <summary>Runs something against the server's database.</summary>
    public static async Task<T> WithDbAsync<T>(this YunkeApp app, Func<YunkeDb, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<YunkeDb>());
    }

    public static Task<HttpResponseMessage> SendPutAsync(this ApiClient client, string path, object body) =>
        client.Http.PutAsJsonAsync(path, body, YunkeApp.Json);

    public static Task<HttpResponseMessage> DeleteAsync(this ApiClient client, string path) => client.Http.DeleteAsync(path);

    /// <summary>Rows of any table whose text columns contain the value: every string column EF maps, on either provider.</summary>
    public static async Task<List<string>> ColumnsHoldingAsync(this YunkeApp app, string value) =>
        await app.WithDbAsync(async db =>
        {
            var hits = new List<string>();
            var conn = db.Database.GetDbConnection();
            await conn.OpenAsync();
            foreach (var entity in db.Model.GetEntityTypes())
            {
                var table = entity.GetTableName();
                if (table is null) continue;
                foreach (var p in entity.GetProperties().Where(p => (p.GetProviderClrType() ?? p.ClrType) == typeof(string)))
                {
                    var column = p.GetColumnName();
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" LIKE @v";
                    var parameter = cmd.CreateParameter();
                    parameter.ParameterName = "@v";
                    parameter.Value = $"%{value}%";
                    cmd.Parameters.Add(parameter);
                    if (Convert.ToInt64(await cmd.ExecuteScalarAsync()) > 0) hits.Add($"{table}.{column}");
                }
            }
            return hits;
        });
}
