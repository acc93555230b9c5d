using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Agents;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Agents;

/// <summary>座席信息: softphone number, registrars, single/pool mode, resetting the softphone password.</summary>
public abstract class SoftphoneApiTests(YunkeApp app)
{
    [Fact]
    public async Task An_agent_has_a_softphone_with_one_registrar_in_single_mode_and_two_in_pool_mode()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var agent = (await tenant.Admin.AgentsAsync()).Single();
        var phone = await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone");
        phone.Str("number").ShouldBe(agent.Str("softphoneNumber"));
        phone.Str("mode").ShouldBe("single");
        phone.Strings("registrars").ShouldBe([$"127.0.0.1:{app.SipPort}"]);
        phone.GetProperty("registrations").GetArrayLength().ShouldBe(0);
        phone.GetProperty("passwordSet").GetBoolean().ShouldBeFalse();

        var settings = await tenant.Admin.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "pool", unifiedAuthentication = true });
        settings.Str("mode").ShouldBe("pool");
        settings.GetProperty("unifiedAuthentication").GetBoolean().ShouldBeTrue();
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/softphone-settings")).Str("mode").ShouldBe("pool");

        phone = await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone");
        phone.Str("mode").ShouldBe("pool");
        phone.Strings("registrars").ShouldBe([$"127.0.0.1:{app.SipPort}", $"127.0.0.1:{app.SipPoolPort}"]);
        phone.GetProperty("unifiedAuthentication").GetBoolean().ShouldBeTrue();

        // A null field keeps its value.
        settings = await tenant.Admin.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "single" });
        settings.GetProperty("unifiedAuthentication").GetBoolean().ShouldBeTrue();
        settings.Strings("registrars").ShouldBe([$"127.0.0.1:{app.SipPort}"]);
    }

    [Fact]
    public async Task Resetting_the_password_keeps_only_the_sip_digest_ha1()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var password = "Zq8Wv3Lm" + Random.Shared.Next(1000, 9999);
        var phone = await tenant.Admin.PostAsync<JsonElement>("/api/v1/agents/1001/softphone/password", new { password });
        phone.GetProperty("passwordSet").GetBoolean().ShouldBeTrue();
        phone.ToString().ShouldNotContain(password);

        var number = phone.Str("number");
        var expected = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{number}:yunke:{password}")));
        var stored = await app.WithDbAsync(db => db.Set<Agent>().Where(a => a.SoftphoneNumber == number).Select(a => a.SoftphoneHa1).SingleAsync());
        stored.ShouldBe(expected);

        (await app.ColumnsHoldingAsync(password)).ShouldBeEmpty();
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=agent.softphonePasswordSet")).Items().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Weak_passwords_are_refused_and_nothing_is_stored()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        foreach (var password in new[] { "", "short1A", "alllowercase", "Has Space1", "Agent1001x" })
        {
            var response = await tenant.Admin.SendPostAsync("/api/v1/agents/1001/softphone/password", new { password });
            (await response.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("password", out _).ShouldBeTrue(password);
        }
        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone")).GetProperty("passwordSet").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Another_tenants_softphones_and_settings_are_out_of_reach()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        (await b.Admin.Http.GetAsync("/api/v1/agents/1002/softphone")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await b.Admin.SendPostAsync("/api/v1/agents/1002/softphone/password", new { password = "Good#Pass1" }))
            .ShouldBeProblemAsync(404, "notFound");

        // Same agent ID, different tenant: b's password and mode change b's phone only.
        await b.Admin.PostAsync<JsonElement>("/api/v1/agents/1001/softphone/password", new { password = "Good#Pass1" });
        await b.Admin.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "pool" });
        var phoneA = await a.Admin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone");
        phoneA.GetProperty("passwordSet").GetBoolean().ShouldBeFalse();
        phoneA.Str("mode").ShouldBe("single");
        (await a.Admin.GetAsync<JsonElement>("/api/v1/softphone-settings")).Str("prefix")
            .ShouldNotBe((await b.Admin.GetAsync<JsonElement>("/api/v1/softphone-settings")).Str("prefix"));
    }
}

public sealed class SoftphoneApiTestsOnSqlite(SqliteApp app) : SoftphoneApiTests(app), IClassFixture<SqliteApp>;

public sealed class SoftphoneApiTestsOnPostgres(PostgresApp app) : SoftphoneApiTests(app), IClassFixture<PostgresApp>;
