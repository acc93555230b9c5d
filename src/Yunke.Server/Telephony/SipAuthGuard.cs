using System.Collections.Concurrent;
using System.Net;
using Yunke.Core.Audit;
using Yunke.Core.Common;
using Yunke.Core.Persistence;

namespace Yunke.Server.Telephony;

/// <summary>
/// Stops password guessing against softphone numbers: failed digest authentications are counted per
/// source address in a fixed window; at <see cref="Settings.MaxFailures"/> the address is refused (403,
/// no challenge) until its window ends. The audit log gets at most two entries per address and window,
/// the first failure (<c>sip.authFailed</c>) and the block (<c>sip.authBlocked</c>), so a flood cannot flood it.
/// </summary>
public sealed class SipAuthGuard(SipAuthGuard.Settings settings, IServiceScopeFactory scopes, TimeProvider clock, ILogger<SipAuthGuard> log)
{
    public sealed record Settings(int MaxFailures, TimeSpan Window);

    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<IPAddress, Window> windows = new();

    public bool IsBlocked(IPAddress address)
    {
        if (!windows.TryGetValue(address, out var w)) return false;
        lock (w) return w.Failures >= settings.MaxFailures && clock.GetUtcNow() < w.Start + settings.Window;
    }

    /// <summary>Counts a failure; <paramref name="tenantId"/> is the number's tenant when the number exists, so its admin sees the entry.</summary>
    public void Failed(IPEndPoint source, string number, Guid? tenantId, string transport, string reason)
    {
        var now = clock.GetUtcNow();
        var w = windows.GetOrAdd(source.Address, _ => new Window());
        int failures;
        lock (w)
        {
            if (now >= w.Start + settings.Window) (w.Start, w.Failures) = (now, 0);
            failures = ++w.Failures;
        }
        if (failures == 1)
            Audit(source, tenantId, "sip.authFailed", number,
                $"{reason}, from {source} over {transport}; further failures from this address within {settings.Window.TotalSeconds:0} s are counted, not listed");
        if (failures == settings.MaxFailures)
            Audit(source, tenantId, "sip.authBlocked", source.Address.ToString(),
                $"{failures} failed SIP authentications within {settings.Window.TotalSeconds:0} s (last for {number}); REGISTERs from this address are refused until {(w.Start + settings.Window).UtcDateTime:u}");
        if (windows.Count > SweepAbove) Sweep(now);
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (address, w) in windows)
            if (now >= w.Start + settings.Window) windows.TryRemove(new KeyValuePair<IPAddress, Window>(address, w));
    }

    // Off the SIP path: the answer to the phone does not wait for the database.
    private void Audit(IPEndPoint source, Guid? tenantId, string action, string target, string detail)
    {
        var actor = new Actor(Guid.Empty, "sip", [], tenantId, source.Address.ToString());
        var at = clock.GetUtcNow().UtcDateTime;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
                db.Audit(actor, at, action, target, detail, tenantId);
                await db.SaveChangesAsync();
            }
            catch (Exception e)
            {
                log.LogError(e, "Writing the audit entry {Action} for {Source} failed", action, source);
            }
        });
    }

    private sealed class Window
    {
        public DateTimeOffset Start = DateTimeOffset.MinValue;
        public int Failures;
    }
}
