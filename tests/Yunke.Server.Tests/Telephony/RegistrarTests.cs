using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Yunke.Server.Telephony;
using Yunke.Sip.Digest;
using Yunke.Sip.Transports;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Registrations;
using Yunke.Server.Tests.Infrastructure;
using Yunke.Server.Tests.Staff;
using Yunke.Sip.Messages;

namespace Yunke.Server.Tests.Telephony;

/// <summary>Softphones register with Yunke's registrar over real UDP and TCP sockets (通过 OpenEye 进行通话 steps 1–3).</summary>
public abstract class RegistrarTests(YunkeApp app)
{
    private static int ContactExpires(SipResponse response, string uriPart) =>
        response.Contacts.Where(c => c.Address!.Uri.ToString().Contains(uriPart)).Select(c => (int)c.Expires!.Value).Single();

    [Fact]
    public async Task Healthz_answers_once_sip_listens()
    {
        (await app.Anonymous().Http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort);
        (await phone.SendAsync(phone.Request("OPTIONS", "health-1"))).StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task A_softphone_registers_with_digest_over_udp_and_shows_in_the_api()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort);

        var ok = await phone.RegisterAsync(number, Softphones.Password, expires: 600);
        ok.StatusCode.ShouldBe(200, ok.ToString());
        ContactExpires(ok, $":{phone.Local.Port}").ShouldBeInRange(599, 600);
        ok.Headers.Get("Date").ShouldNotBeNull();

        var registration = (await tenant.RegistrationsAsync()).Single();
        registration.Str("contact").ShouldBe($"sip:{number}@127.0.0.1:{phone.Local.Port};transport=udp");
        registration.Str("transport").ShouldBe("udp");
        registration.Str("registrar").ShouldBe($"127.0.0.1:{app.SipPort}");
        registration.Str("source").ShouldBe($"127.0.0.1:{phone.Local.Port}");
        (registration.GetProperty("expiresAt").GetDateTime().ToUniversalTime() - DateTime.UtcNow).TotalSeconds.ShouldBeInRange(590, 601);

        // Where the agent rings (for calls): the binding with a UDP flow from the registrar's port to the phone.
        var contact = app.Services.GetRequiredService<SoftphoneBindings>().ContactsOf(Guid.Parse(tenant.Id), "1001").Single();
        contact.Flow!.Kind.ShouldBe(SipTransportKind.Udp);
        contact.Flow.LocalEndPoint.Port.ShouldBe(app.SipPort);
        contact.Flow.RemoteEndPoint.ShouldBe(phone.Local);
    }

    [Fact]
    public async Task A_browser_phone_registers_over_websocket_at_sip()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        (await app.Anonymous().Http.GetAsync("/sip")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var client = app.Server.CreateWebSocketClient();
        client.SubProtocols.Add("sip");
        using var socket = await client.ConnectAsync(new Uri(app.Server.BaseAddress, "sip"), CancellationToken.None);
        string Register(int cseq, string authorization) =>
            $"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK{Guid.NewGuid():N}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:{number}@127.0.0.1>;tag=ws1\r\nTo: <sip:{number}@127.0.0.1>\r\nCall-ID: ws-{number}\r\nCSeq: {cseq} REGISTER\r\n" +
            $"Contact: <sip:k3l2j@df7jal23ls0d.invalid;transport=ws>\r\nExpires: 600\r\n{authorization}Content-Length: 0\r\n\r\n";

        var challenge = await ExchangeAsync(socket, Register(1, ""));
        challenge.StatusCode.ShouldBe(401);
        DigestChallenge.TryParse(challenge.Headers.Get("WWW-Authenticate")!, out var digest, out _).ShouldBeTrue();
        var credentials = DigestClient.CreateCredentials(digest, number, Softphones.Password, "REGISTER", "sip:127.0.0.1");
        (await ExchangeAsync(socket, Register(2, $"Authorization: {credentials}\r\n"))).StatusCode.ShouldBe(200);

        (await tenant.RegistrationsAsync()).Single().Str("transport").ShouldBe("ws");
        var contact = app.Services.GetRequiredService<SoftphoneBindings>().ContactsOf(Guid.Parse(tenant.Id), "1001").Single();
        contact.Flow!.Kind.ShouldBe(SipTransportKind.WebSocket);
    }

    private static async Task<SipResponse> ExchangeAsync(WebSocket socket, string request)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(SipPhone.Patience);
        var buffer = new byte[16384];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
        } while (!result.EndOfMessage);
        return (SipResponse)SipParser.Parse(buffer.AsSpan(0, length)).Message!;
    }

    [Fact]
    public async Task In_pool_mode_a_phone_registers_to_both_registrars_over_tcp_with_one_password()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/softphone-settings", new { mode = "pool" });
        var number = await tenant.SoftphoneAsync();
        await using var first = await SipPhone.OpenAsync("TCP", app.SipPort);
        await using var second = await SipPhone.OpenAsync("TCP", app.SipPoolPort);

        (await first.RegisterAsync(number, Softphones.Password)).StatusCode.ShouldBe(200);
        var both = await second.RegisterAsync(number, Softphones.Password);
        both.StatusCode.ShouldBe(200);
        both.Contacts.Count.ShouldBe(2, "the 200 lists every binding of the number, whichever registrar took it");

        var registrations = await tenant.RegistrationsAsync();
        registrations.Select(r => r.Str("registrar")).Order().ShouldBe(new[] { $"127.0.0.1:{app.SipPort}", $"127.0.0.1:{app.SipPoolPort}" }.Order());
        registrations.ShouldAllBe(r => r.Str("transport") == "tcp");
        var phone = await tenant.Admin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone");
        phone.Strings("registrars").ShouldBe([$"127.0.0.1:{app.SipPort}", $"127.0.0.1:{app.SipPoolPort}"]);
    }

    [Fact]
    public async Task A_wrong_password_is_challenged_then_forbidden_and_an_unknown_number_looks_the_same()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.2");

        var challenge = await phone.SendAsync(phone.Register(number, [$"Contact: {phone.Contact(number)}\r\n"], "", ""));
        challenge.StatusCode.ShouldBe(401);
        challenge.Headers.Get("WWW-Authenticate")!.ShouldContain("realm=\"yunke\"");
        (await phone.RegisterAsync(number, "Wrong#Pass99")).StatusCode.ShouldBe(403);
        (await phone.RegisterAsync("999999" + "1001", Softphones.Password)).StatusCode.ShouldBe(403);
        (await tenant.RegistrationsAsync()).ShouldBeEmpty();

        // The number's own password still works afterwards (two failures are far from the limit).
        (await phone.RegisterAsync(number, Softphones.Password)).StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task Several_contacts_are_bound_refreshed_and_removed_one_by_one_or_all_at_once()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort);
        string desk = $"<sip:{number}@192.0.2.10:5070>", mobile = $"<sip:{number}@192.0.2.11:5080;transport=udp>";

        var ok = await phone.RegisterAsync(number, Softphones.Password, [desk + ";expires=120", mobile], expires: 900);
        ok.StatusCode.ShouldBe(200);
        ContactExpires(ok, "192.0.2.10").ShouldBeInRange(119, 120);
        ContactExpires(ok, "192.0.2.11").ShouldBeInRange(899, 900);
        (await tenant.RegistrationsAsync()).Count.ShouldBe(2);

        // A query (no Contact) lists the bindings and changes nothing.
        var query = await phone.RegisterAsync(number, Softphones.Password, []);
        query.Contacts.Count.ShouldBe(2);

        var one = await phone.RegisterAsync(number, Softphones.Password, [desk], expires: 0);
        one.StatusCode.ShouldBe(200);
        one.Contacts.Single().Address!.Uri.Host.ShouldBe("192.0.2.11");
        (await tenant.RegistrationsAsync()).Single().Str("contact").ShouldContain("192.0.2.11");

        (await phone.RegisterAsync(number, Softphones.Password, [desk], expires: 300)).Contacts.Count.ShouldBe(2);
        (await phone.RegisterAsync(number, Softphones.Password, ["*"], expires: 3600)).StatusCode.ShouldBe(400, "* needs Expires: 0");
        var none = await phone.RegisterAsync(number, Softphones.Password, ["*"], expires: 0);
        none.StatusCode.ShouldBe(200);
        none.Contacts.ShouldBeEmpty();
        (await tenant.RegistrationsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Too_brief_an_interval_is_refused_423_with_min_expires_and_binds_nothing()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("TCP", app.SipPort);
        var refused = await phone.RegisterAsync(number, Softphones.Password, [phone.Contact(number, ";expires=1")]);
        refused.StatusCode.ShouldBe(423);
        refused.Headers.Get("Min-Expires").ShouldBe(YunkeApp.MinExpires.ToString());
        (await tenant.RegistrationsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_binding_expires_and_is_purged_from_the_database()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort);
        (await phone.RegisterAsync(number, Softphones.Password, expires: YunkeApp.MinExpires)).StatusCode.ShouldBe(200);
        (await tenant.RegistrationsAsync()).Count.ShouldBe(1);
        var tenantId = Guid.Parse(tenant.Id);
        await Softphones.EventuallyAsync(() => app.WithDbAsync(db => db.Set<SoftphoneBinding>().AnyAsync(b => b.TenantId == tenantId)),
            "the binding is written behind to the database");

        await Softphones.EventuallyAsync(async () => (await tenant.RegistrationsAsync()).Count == 0, "the binding expires");
        await Softphones.EventuallyAsync(async () => !await app.WithDbAsync(db => db.Set<SoftphoneBinding>().AnyAsync(b => b.TenantId == tenantId)),
            "the expired binding is purged");
    }

    [Fact]
    public async Task Signing_the_agent_out_unregisters_its_phones()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var agent = await app.SignedInEmployeeAsync(tenant, "agent");
        await tenant.Admin.PutAsync<JsonElement>("/api/v1/agents/1001", new { employeeAccount = agent.Account });
        var number = await tenant.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort);

        // The phone registers first, then the agent signs in (seed order); registering while signed out is allowed.
        (await phone.RegisterAsync(number, Softphones.Password)).StatusCode.ShouldBe(200);
        await agent.PostAsync<JsonElement>("/api/v1/agent/sign-in");
        (await tenant.RegistrationsAsync()).Count.ShouldBe(1);
        var reachability = app.Services.GetRequiredService<Yunke.Core.Acd.IAgentReachability>();
        reachability.IsReachable(Guid.Parse(tenant.Id), "1001").ShouldBeTrue("the ACD may offer calls to a registered agent");

        await agent.PostAsync<JsonElement>("/api/v1/agent/sign-out");
        (await tenant.RegistrationsAsync()).ShouldBeEmpty();
        reachability.IsReachable(Guid.Parse(tenant.Id), "1001").ShouldBeFalse();
        var audit = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=agent.signedOut")).Items().Single();
        audit.Str("detail").ShouldContain("1 softphone registration");
        var tenantId = Guid.Parse(tenant.Id);
        await Softphones.EventuallyAsync(async () => !await app.WithDbAsync(db => db.Set<SoftphoneBinding>().AnyAsync(b => b.TenantId == tenantId)),
            "the removed binding is deleted from the database");
    }

    [Fact]
    public async Task A_tenant_sees_only_its_own_phones_registrations()
    {
        var a = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var b = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var numberA = await a.SoftphoneAsync();
        await b.SoftphoneAsync();
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort);
        (await phone.RegisterAsync(numberA, Softphones.Password)).StatusCode.ShouldBe(200);

        (await a.RegistrationsAsync()).Count.ShouldBe(1);
        (await b.RegistrationsAsync()).ShouldBeEmpty(); // same agent ID 1001, other tenant
        (await b.Admin.Http.GetAsync("/api/v1/agents/1002/softphone")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Options_is_answered_and_other_methods_are_refused_with_allow()
    {
        await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0); // starts the host
        foreach (var transport in new[] { "UDP", "TCP" })
        {
            await using var phone = await SipPhone.OpenAsync(transport, app.SipPoolPort);
            var options = await phone.SendAsync(phone.Request("OPTIONS", $"opt-{transport}"));
            options.StatusCode.ShouldBe(200);
            options.Headers.Get("Allow")!.Split(", ").ShouldContain("REGISTER");
            options.Headers.Get("Accept").ShouldBe("application/sdp");

            var subscribe = await phone.SendAsync(phone.Request("SUBSCRIBE", $"sub-{transport}", "Event: presence\r\n"));
            subscribe.StatusCode.ShouldBe(405);
            subscribe.Headers.Get("Allow").ShouldBe(options.Headers.Get("Allow"));
            var unknown = await phone.SendAsync(phone.Request("FROBNICATE", $"frob-{transport}"));
            unknown.StatusCode.ShouldBe(501);
            unknown.Headers.Get("Allow").ShouldNotBeNull();
            (await phone.SendAsync(phone.Request("INVITE", $"inv-{transport}", "Contact: <sip:test@127.0.0.1>\r\n"))).StatusCode.ShouldBe(480);
            var required = await phone.SendAsync(phone.Request("OPTIONS", $"req-{transport}", "Require: foo\r\n"));
            required.StatusCode.ShouldBe(420);
            required.Headers.Get("Unsupported").ShouldBe("foo");
        }
    }

    [Fact]
    public async Task Failed_authentications_are_rate_limited_per_address_and_audited_once_per_window()
    {
        var tenant = await app.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
        var number = await tenant.SoftphoneAsync();
        const string attacker = "127.0.0.77";
        await using var phone = await SipPhone.OpenAsync("UDP", app.SipPort, attacker);
        for (var i = 0; i < 10; i++)
            (await phone.RegisterAsync(number, $"Guess#{i}xx")).StatusCode.ShouldBe(403);

        // Blocked: no challenge any more, even for the right password.
        var blocked = await phone.SendAsync(phone.Register(number, [$"Contact: {phone.Contact(number)}\r\n"], "", ""));
        blocked.StatusCode.ShouldBe(403);
        blocked.Headers.Contains("WWW-Authenticate").ShouldBeFalse();

        // Other addresses are not affected.
        await using var honest = await SipPhone.OpenAsync("UDP", app.SipPort, "127.0.0.78");
        (await honest.RegisterAsync(number, Softphones.Password)).StatusCode.ShouldBe(200);

        await Softphones.EventuallyAsync(async () =>
            (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=sip.authBlocked")).Items().Any(), "the block is audited");
        var failed = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=sip.authFailed")).Items().ToList();
        failed.Count.ShouldBe(1, "one entry per address and window, not one per attempt");
        failed[0].Str("target").ShouldBe(number);
        failed[0].Str("remoteIp").ShouldBe(attacker);
        var block = (await tenant.Admin.GetAsync<JsonElement>("/api/v1/audit?action=sip.authBlocked")).Items().Single();
        block.Str("target").ShouldBe(attacker);
        block.Str("detail").ShouldContain("10 failed");
    }
}

public sealed class RegistrarTestsOnSqlite(SqliteApp app) : RegistrarTests(app), IClassFixture<SqliteApp>;

public sealed class RegistrarTestsOnPostgres(PostgresApp app) : RegistrarTests(app), IClassFixture<PostgresApp>;
