using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Yunke.Core.Registrations;
using Yunke.Server.Tests.Infrastructure;

namespace Yunke.Server.Tests.Telephony;

/// <summary>Bindings are persisted: after a restart they are there until they expire, and those that expired meanwhile are purged.</summary>
public sealed class RegistrarRestartTests
{
    [Fact]
    public async Task Bindings_survive_a_restart_until_they_expire()
    {
        string dataDir, number, lasting;
        int firstPort;
        DateTime shortLivedUntil;
        await using (var first = new SqliteApp { KeepData = true })
        {
            dataDir = first.DataDir;
            firstPort = first.SipPort;
            var tenant = await first.NewTenantAsync(voice: 1, video: 0, multimedia: 0);
            number = await tenant.SoftphoneAsync();
            await using var phone = await SipPhone.OpenAsync("UDP", first.SipPort);
            lasting = $"sip:{number}@192.0.2.20:5060";
            var ok = await phone.RegisterAsync(number, Softphones.Password, [$"<{lasting}>;expires=3600", $"<sip:{number}@192.0.2.21:5060>;expires={YunkeApp.MinExpires}"]);
            ok.StatusCode.ShouldBe(200);
            shortLivedUntil = DateTime.UtcNow.AddSeconds(YunkeApp.MinExpires);
        }
        var wait = shortLivedUntil - DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);

        await using var second = new SqliteApp { DataDir = dataDir };
        var op = await second.OperatorAsync();
        var adminName = (await op.GetAsync<JsonElement>("/api/v1/audit?action=account.tenantAdminCreated")).Items().Single().Str("target");
        var admin = await second.LoginAsync(adminName, Tenancy.AdminPassword);

        var registration = (await admin.GetAsync<JsonElement>("/api/v1/agents/1001/softphone")).GetProperty("registrations").EnumerateArray().Single();
        registration.Str("contact").ShouldBe(lasting);
        registration.Str("registrar").ShouldBe($"127.0.0.1:{firstPort}");
        (await second.WithDbAsync(db => db.Set<SoftphoneBinding>().Select(b => b.Contact).ToListAsync())).ShouldBe([lasting]);

        // The phone refreshes against the restarted registrar with the same Call-ID and a higher CSeq, as phones do.
        await using var again = await SipPhone.OpenAsync("UDP", second.SipPort);
        (await again.RegisterAsync(number, Softphones.Password)).Contacts.Count.ShouldBe(2);
    }
}
