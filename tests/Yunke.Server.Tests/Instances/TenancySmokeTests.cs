using System.Text.Json;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Instances;

/// <summary>The tenant helper every configuration test starts from, checked once on its own.</summary>
public sealed class TenancySmokeTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_new_tenant_admin_is_signed_in_for_its_own_instance()
    {
        var tenant = await app.NewTenantAsync();
        var me = await tenant.Admin.GetAsync<JsonElement>("/api/v1/me");
        me.GetProperty("tenantId").GetString().ShouldBe(tenant.Id);
        me.GetProperty("mustChangePassword").GetBoolean().ShouldBeFalse();
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldContain("tenantAdmin");
    }
}
