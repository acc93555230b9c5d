using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.CalledRoutes;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Agents;

/// <summary>被叫配置: routing an instance's access codes to skill queues or IVR robots (seed chapter 4 step 4).</summary>
public abstract class CalledRouteApiTests(YunkeApp app)
{
    private static object ToQueue(string accessCode, string queueId) => new { accessCode, deviceType = "skillQueue", skillQueueId = queueId };

    [Fact]
    public async Task The_admin_routes_a_number_and_an_extension_to_a_queue_then_deletes_a_route()
    {
        var tenant = await app.NewTenantAsync();
        var queue = (await tenant.Admin.QueuesAsync()).First(q => q.Str("mediaType") == "voice");

        var route = await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes", ToQueue(tenant.Number, queue.Id()));
        route.Str("accessCode").ShouldBe(tenant.Number);
        route.Str("number").ShouldBe(tenant.Number);
        route.Str("extension").ShouldBe("");
        route.Str("deviceType").ShouldBe("skillQueue");
        route.Str("skillQueueId").ShouldBe(queue.Id());

        var extension = await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes", ToQueue(tenant.Number + "801", queue.Id()));
        extension.Str("number").ShouldBe(tenant.Number);
        extension.Str("extension").ShouldBe("801");

        var list = await tenant.Admin.GetAsync<JsonElement>("/api/v1/called-routes");
        list.GetProperty("total").GetInt32().ShouldBe(2);
        list.Items().Select(r => r.Str("accessCode")).ShouldBe([tenant.Number, tenant.Number + "801"]);
        (await tenant.Admin.GetAsync<JsonElement>($"/api/v1/called-routes/{extension.Id()}")).Str("extension").ShouldBe("801");

        (await tenant.Admin.DeleteAsync($"/api/v1/called-routes/{extension.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await tenant.Admin.Http.GetAsync($"/api/v1/called-routes/{extension.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var audit = await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit");
        audit.Items().Select(e => e.Str("action")).ShouldContain("calledRoute.created");
        audit.Items().Select(e => e.Str("action")).ShouldContain("calledRoute.deleted");
    }

    [Fact]
    public async Task An_ivr_route_needs_a_robot_and_a_queue_route_needs_a_queue_of_this_tenant()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var other = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var foreignQueue = (await other.Admin.QueuesAsync()).Single();

        var ivr = await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes",
            new { accessCode = tenant.Number + "9", deviceType = "ivr", robotId = "robot-welcome" });
        ivr.Str("deviceType").ShouldBe("ivr");
        ivr.Str("robotId").ShouldBe("robot-welcome");
        ivr.GetProperty("skillQueueId").ValueKind.ShouldBe(JsonValueKind.Null);

        var noRobot = await tenant.Admin.SendPostAsync("/api/v1/called-routes", new { accessCode = tenant.Number + "8", deviceType = "ivr" });
        (await noRobot.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("robotId", out _).ShouldBeTrue();
        var noQueue = await tenant.Admin.SendPostAsync("/api/v1/called-routes", new { accessCode = tenant.Number, deviceType = "skillQueue" });
        (await noQueue.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("skillQueueId", out _).ShouldBeTrue();
        var noType = await tenant.Admin.SendPostAsync("/api/v1/called-routes", new { accessCode = tenant.Number });
        (await noType.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("deviceType", out _).ShouldBeTrue();
        var foreign = await tenant.Admin.SendPostAsync("/api/v1/called-routes", ToQueue(tenant.Number, foreignQueue.Id()));
        (await foreign.ShouldBeProblemAsync(400, "validation")).GetProperty("errors").TryGetProperty("skillQueueId", out _).ShouldBeTrue();

        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/called-routes")).GetProperty("total").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Codes_not_on_this_instance_are_refused_with_the_reason()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var other = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var queue = (await tenant.Admin.QueuesAsync()).Single().Id();

        async Task<string> Refused(string code, int status = 422, string problem = "accessCodeNotOnInstance")
        {
            var response = await tenant.Admin.SendPostAsync("/api/v1/called-routes", ToQueue(code, queue));
            var details = await response.ShouldBeProblemAsync(status, problem);
            details.GetProperty("errors").TryGetProperty("accessCode", out _).ShouldBeTrue();
            return details.GetProperty("detail").GetString()!;
        }

        (await Refused(other.Number)).ShouldContain("not a number of this instance");
        (await Refused(other.Number + "12")).ShouldContain("not a number of this instance");
        (await Refused(Commerce.NewNumber())).ShouldContain("must begin with one of this instance's numbers");
        (await Refused(tenant.Number + "1234567")).ShouldContain("must begin with one of this instance's numbers");
        await Refused("12ab", 400, "validation");

        // The owner's own number, asked for but still being docked.
        var docking = Commerce.NewNumber();
        await tenant.Owner.PostAsync<JsonElement>("/api/v1/numbers/own", new { number = docking, carrier = "中国联通" });
        (await Refused(docking)).ShouldContain("still being docked");

        // The owner's docked number that is not on this instance.
        var spare = await app.DockedNumberAsync(tenant.Owner);
        (await Refused(spare)).ShouldContain("not a number of this instance");

        (await tenant.Admin.GetAsync<JsonElement>("/api/v1/called-routes")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task An_access_code_routes_once()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var queue = (await tenant.Admin.QueuesAsync()).Single().Id();
        await tenant.Admin.PostAsync<JsonElement>("/api/v1/called-routes", ToQueue(tenant.Number, queue));
        var again = await tenant.Admin.SendPostAsync("/api/v1/called-routes",
            new { accessCode = tenant.Number, deviceType = "ivr", robotId = "r1" });
        await again.ShouldBeProblemAsync(409, "accessCodeTaken");
    }

    [Fact]
    public async Task Another_tenants_routes_are_not_found()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var route = await a.Admin.PostAsync<JsonElement>("/api/v1/called-routes", ToQueue(a.Number, (await a.Admin.QueuesAsync()).Single().Id()));

        (await b.Admin.Http.GetAsync($"/api/v1/called-routes/{route.Id()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await b.Admin.DeleteAsync($"/api/v1/called-routes/{route.Id()}")).ShouldBeProblemAsync(404, "notFound");
        (await b.Admin.GetAsync<JsonElement>("/api/v1/called-routes")).GetProperty("total").GetInt32().ShouldBe(0);
        (await a.Admin.GetAsync<JsonElement>($"/api/v1/called-routes/{route.Id()}")).Str("accessCode").ShouldBe(a.Number);
    }

    [Fact]
    public async Task A_trial_routes_its_experience_number()
    {
        var owner = await app.NewVerifiedAccountAsync();
        var application = await owner.PostAsync<JsonElement>("/api/v1/me/trial-applications",
            new { company = "试用公司", contactName = "李四", contactPhone = "13800138000", email = "trial@example.cn", agreePrivacyPolicy = true });
        var approved = await (await app.OperatorAsync()).PostAsync<JsonElement>($"/api/v1/operator/trial-applications/{application.Id()}/approve");
        var instance = await owner.GetAsync<JsonElement>($"/api/v1/instances/{approved.Str("instanceId")}");
        var experience = instance.Strings("numbers").Single();
        var admin = await owner.PostAsync<JsonElement>($"/api/v1/instances/{approved.Str("instanceId")}/tenant-admin/password");
        var first = await app.LoginAsync(admin.Str("account"), admin.Str("password"));
        await first.PostAsync<JsonElement>("/api/v1/auth/password", new { currentPassword = admin.Str("password"), newPassword = Tenancy.AdminPassword });
        var tenantAdmin = await app.LoginAsync(admin.Str("account"), Tenancy.AdminPassword);

        var queue = (await tenantAdmin.QueuesAsync()).First().Id();
        (await tenantAdmin.PostAsync<JsonElement>("/api/v1/called-routes", ToQueue(experience, queue))).Str("number").ShouldBe(experience);

        // Commercial use releases the experience number: its route goes with it.
        await owner.OpenServiceAsync();
        (await app.WithDbAsync(db => db.Set<CalledRoute>().CountAsync(r => r.Number == experience))).ShouldBe(0);
    }
}

public sealed class CalledRouteApiTestsOnSqlite(SqliteApp app) : CalledRouteApiTests(app), IClassFixture<SqliteApp>;

public sealed class CalledRouteApiTestsOnPostgres(PostgresApp app) : CalledRouteApiTests(app), IClassFixture<PostgresApp>;
