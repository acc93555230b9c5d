using System.Text.Json;
using Xunit.Abstractions;
using Yunke.EndToEnd.Tests.Infrastructure;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>
/// Softphones register with the running server's registrar (seed chapter 4, 通过 OpenEye 进行通话 steps 1–3)
/// through real SIP peers: sipp for exact messages over UDP and TCP, baresip as a real softphone. What
/// they registered is read back through the REST API. Each test has its own tenant, set up through the API.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RegistrationTests(YunkeServer server, ITestOutputHelper log) : IAsyncLifetime
{
    private const string Password = "Soft#Phone2026";
    private SoftphoneAdmin tenant = null!;
    private string agentId = "", number = "";

    public async Task InitializeAsync()
    {
        tenant = await SoftphoneAdmin.NewTenantAsync(server);
        (agentId, number) = (await tenant.AgentsAsync())[0];
        await tenant.SetPasswordAsync(agentId, Password);
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task A_phone_registers_with_digest_and_its_binding_shows_in_the_api(string transport)
    {
        var localPort = YunkeServer.FreePort();
        var before = DateTime.UtcNow;

        var run = await Sipp.RunAsync("register.xml", server.SipPort, transport, [new SipUser(number, Password, Expires: 300)], localPort);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Successful.ShouldBe(1, run.ToString());
        var binding = (await RegistrationsAsync(r => r.Count == 1)).Single();
        binding.Str("transport").ShouldBe(transport, StringCompareShould.IgnoreCase);
        binding.Str("registrar").ShouldBe($"127.0.0.1:{server.SipPort}");
        binding.Str("contact").ShouldContain($"{number}@127.0.0.1:{localPort}");
        binding.GetProperty("expiresAt").GetDateTime().ToUniversalTime()
            .ShouldBeInRange(before.AddSeconds(300 - 5), DateTime.UtcNow.AddSeconds(300 + 5));
    }

    [Fact]
    public async Task A_real_softphone_registers_and_unregisters_when_it_quits()
    {
        await using var phone = Baresip.Start(number, Password, server.SipPort, "udp");

        (await phone.RegistrationAsync()).ShouldBe("200 OK", phone.Output);
        var binding = (await RegistrationsAsync(r => r.Count == 1)).Single();
        binding.Str("transport").ShouldBe("udp", StringCompareShould.IgnoreCase);
        binding.Str("registrar").ShouldBe($"127.0.0.1:{server.SipPort}");
        binding.Str("contact").ShouldContain($"127.0.0.1:{phone.LocalPort}");

        await phone.QuitAsync();
        await RegistrationsAsync(r => r.Count == 0);
    }

    [Fact]
    public async Task A_real_softphone_with_a_wrong_password_is_refused()
    {
        await using var phone = Baresip.Start(number, "Wrong#Phone2026", server.SipPort, "tcp");

        (await phone.RegistrationAsync()).ShouldStartWith("403", Case.Sensitive, phone.Output);
        (await RegistrationsAsync(_ => true)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_wrong_password_is_challenged_once_then_refused()
    {
        var run = await Sipp.RunAsync("register-refused.xml", server.SipPort, "udp", [new SipUser(number, "Wrong#Phone2026")]);

        // The scenario expects exactly 401 (with a challenge) and then 403: anything else fails the call.
        run.ExitCode.ShouldBe(0, run.ToString());
        run.Successful.ShouldBe(1, run.ToString());
        (await RegistrationsAsync(_ => true)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Expires_sets_the_bindings_lifetime_and_expires_0_unregisters()
    {
        var localPort = YunkeServer.FreePort();
        var first = await Sipp.RunAsync("register.xml", server.SipPort, "udp", [new SipUser(number, Password, Expires: 3600)], localPort);
        first.ExitCode.ShouldBe(0, first.ToString());
        var before = DateTime.UtcNow;

        // Registering the same contact again with a shorter Expires refreshes the one binding.
        var refresh = await Sipp.RunAsync("register.xml", server.SipPort, "udp", [new SipUser(number, Password, Expires: 120)], localPort);
        refresh.ExitCode.ShouldBe(0, refresh.ToString());
        var binding = (await RegistrationsAsync(r => r.Count == 1 && ExpiresAt(r[0]) < before.AddSeconds(600))).Single();
        ExpiresAt(binding).ShouldBeInRange(before.AddSeconds(120 - 5), DateTime.UtcNow.AddSeconds(120 + 5));

        var unregister = await Sipp.RunAsync("register.xml", server.SipPort, "udp", [new SipUser(number, Password, Expires: 0)], localPort);
        unregister.ExitCode.ShouldBe(0, unregister.ToString());
        await RegistrationsAsync(r => r.Count == 0);
    }

    [Fact]
    public async Task A_binding_that_is_not_refreshed_lapses()
    {
        var run = await Sipp.RunAsync("register.xml", server.SipPort, "tcp", [new SipUser(number, Password, Expires: YunkeServer.SipMinExpires)]);

        run.ExitCode.ShouldBe(0, run.ToString());
        // The 200 OK lists the new binding with the time it has left.
        run.Messages.ShouldMatch($@"SIP/2.0 200 OK[\s\S]*Contact: <sip:{number}@[^>]*>;expires=[12]\b", run.ToString());
        await RegistrationsAsync(r => r.Count == 0);
    }

    [Fact]
    public async Task A_registration_shorter_than_the_minimum_is_answered_423_with_min_expires()
    {
        var run = await Sipp.RunAsync("register-too-brief.xml", server.SipPort, "udp", [new SipUser(number, Password, Expires: YunkeServer.SipMinExpires - 1)]);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Messages.ShouldContain($"Min-Expires: {YunkeServer.SipMinExpires}");
        (await RegistrationsAsync(_ => true)).ShouldBeEmpty();
    }

    [Fact]
    public async Task In_pool_mode_a_phone_registers_to_both_registrars_with_one_password()
    {
        var settings = await tenant.SetModeAsync("pool");
        settings.GetProperty("registrars").EnumerateArray().Select(r => r.GetString())
            .ShouldBe([$"127.0.0.1:{server.SipPort}", $"127.0.0.1:{server.SipPoolPort}"]);

        var main = await Sipp.RunAsync("register.xml", server.SipPort, "udp", [new SipUser(number, Password)]);
        var pool = await Sipp.RunAsync("register.xml", server.SipPoolPort, "tcp", [new SipUser(number, Password)]);

        main.ExitCode.ShouldBe(0, main.ToString());
        pool.ExitCode.ShouldBe(0, pool.ToString());
        var bindings = await RegistrationsAsync(r => r.Count == 2);
        bindings.Select(b => (b.Str("registrar"), b.Str("transport").ToLowerInvariant())).Order()
            .ShouldBe(new[] { ($"127.0.0.1:{server.SipPort}", "udp"), ($"127.0.0.1:{server.SipPoolPort}", "tcp") }.Order());
    }

    [Fact]
    public async Task Signing_the_agent_out_removes_its_bindings()
    {
        using var agent = await tenant.BoundAgentAsync(agentId);
        await ApiSteps.SendAsync(agent, HttpMethod.Post, "/api/v1/agent/sign-in");
        await using var phone = Baresip.Start(number, Password, server.SipPort, "udp");
        (await phone.RegistrationAsync()).ShouldBe("200 OK", phone.Output);
        var run = await Sipp.RunAsync("register.xml", server.SipPort, "tcp", [new SipUser(number, Password)]);
        run.ExitCode.ShouldBe(0, run.ToString());
        await RegistrationsAsync(r => r.Count == 2);

        (await ApiSteps.SendAsync(agent, HttpMethod.Post, "/api/v1/agent/sign-out")).Str("state").ShouldBe("signedOut");

        await RegistrationsAsync(r => r.Count == 0);
    }

    /// <summary>The agent's registrations once <paramref name="until"/> holds for them (polled for up to 10 s; fails with what was last seen).</summary>
    private async Task<List<JsonElement>> RegistrationsAsync(Func<List<JsonElement>, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var softphone = await tenant.SoftphoneAsync(agentId);
            var registrations = softphone.GetProperty("registrations").EnumerateArray().ToList();
            if (until(registrations)) return registrations;
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"The registrations did not reach the expected state; last seen: {softphone}");
            await Task.Delay(100);
        }
    }

    private static DateTime ExpiresAt(JsonElement binding) => binding.GetProperty("expiresAt").GetDateTime().ToUniversalTime();

    public Task DisposeAsync()
    {
        var lines = server.Output.Split('\n');
        try { log.WriteLine($"--- server output (last 60 lines) ---\n{string.Join('\n', lines.TakeLast(60))}"); }
        catch (InvalidOperationException) { /* the test has already finished */ }
        tenant.Dispose();
        return Task.CompletedTask;
    }
}
