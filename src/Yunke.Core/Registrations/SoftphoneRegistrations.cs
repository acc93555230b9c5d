using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yunke.Core.Acd;
using Yunke.Core.Persistence;

namespace Yunke.Core.Registrations;

/// <summary>
/// The registrar's binding store: every live softphone registration of the platform, in memory for the
/// registrar and the call router, written behind to the database so bindings survive a restart until they
/// expire. All registrars (single and pool ports, WebSocket) share it. Changes to one softphone number are
/// serialized on that number; reads are lock-free snapshots.
/// As a hosted service it loads the live bindings on start, purges expired ones on a timer, and saves
/// what is still pending on stop.
/// </summary>
public sealed class SoftphoneRegistrations : IAgentReachability, IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, Aor>> tenants = new();
    private readonly RegistrarPolicy policy;
    private readonly TimeProvider clock;
    private readonly BindingWriter writer;
    private ITimer? sweeper;

    public SoftphoneRegistrations(IServiceScopeFactory scopes, RegistrarPolicy policy, TimeProvider clock, ILogger<SoftphoneRegistrations> log)
    {
        this.policy = policy;
        this.clock = clock;
        writer = new BindingWriter(scopes, log);
    }

    public RegistrarPolicy Policy => policy;

    /// <summary>The agent's live bindings, oldest first.</summary>
    public IReadOnlyList<SoftphoneBinding> Of(Guid tenantId, string agentId)
    {
        if (!tenants.TryGetValue(tenantId, out var agents) || !agents.TryGetValue(agentId, out var aor)) return [];
        var now = Now;
        return aor.Bindings.Where(b => b.IsLiveAt(now)).ToList();
    }

    /// <summary>An agent with a live registration has a phone that can ring (what the ACD asks).</summary>
    public bool IsReachable(Guid tenantId, string agentId)
    {
        if (!tenants.TryGetValue(tenantId, out var agents) || !agents.TryGetValue(agentId, out var aor)) return false;
        var now = Now;
        return aor.Bindings.Any(b => b.IsLiveAt(now));
    }

    /// <summary>Every live binding of a tenant, by agent ID.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SoftphoneBinding>> OfTenant(Guid tenantId)
    {
        var result = new Dictionary<string, IReadOnlyList<SoftphoneBinding>>(StringComparer.Ordinal);
        if (!tenants.TryGetValue(tenantId, out var agents)) return result;
        var now = Now;
        foreach (var (agentId, aor) in agents)
        {
            var live = aor.Bindings.Where(b => b.IsLiveAt(now)).ToList();
            if (live.Count > 0) result[agentId] = live;
        }
        return result;
    }

    /// <summary>Applies a REGISTER as RFC 3261 10.3 steps 6–8 say: all of it or, when refused, nothing.</summary>
    public RegisterResult Register(RegisterRequest request)
    {
        var aor = AorOf(request.TenantId, request.AgentId);
        lock (aor)
        {
            var now = Now;
            var before = aor.Bindings;
            var current = before.Where(b => b.IsLiveAt(now)).ToList();
            var next = new List<SoftphoneBinding>(current);

            if (request.Wildcard)
            {
                if (request.Contacts.Count > 0 || request.Expires != 0) return Refused(RegisterOutcome.InvalidWildcard);
                if (current.Any(b => IsOutOfOrder(b, request))) return Refused(RegisterOutcome.OutOfOrder);
                next.Clear();
            }
            foreach (var contact in request.Contacts)
            {
                var seconds = contact.Expires ?? request.Expires ?? (uint)policy.DefaultExpires;
                if (seconds != 0 && seconds < policy.MinExpires) return Refused(RegisterOutcome.IntervalTooBrief);
                var existing = next.FirstOrDefault(b => b.Contact == contact.Uri && b.Registrar == request.Registrar);
                if (existing is not null)
                {
                    if (IsOutOfOrder(existing, request)) return Refused(RegisterOutcome.OutOfOrder);
                    next.Remove(existing);
                }
                if (seconds == 0) continue;
                next.Add(new SoftphoneBinding
                {
                    Id = existing?.Id ?? Guid.NewGuid(),
                    TenantId = request.TenantId,
                    AgentId = request.AgentId,
                    Contact = contact.Uri,
                    Transport = request.Transport,
                    Registrar = request.Registrar,
                    Source = request.Source,
                    CallId = request.CallId,
                    CSeq = request.CSeq,
                    RegisteredAt = now,
                    ExpiresAt = now.AddSeconds(Math.Min(seconds, (uint)policy.MaxExpires)),
                });
            }
            if (next.Count > policy.MaxContacts && next.Count > current.Count) return Refused(RegisterOutcome.TooManyContacts);

            aor.Bindings = [.. next];
            foreach (var gone in before.Where(b => !next.Any(n => n.Id == b.Id))) Delete(aor, gone.Id);
            foreach (var changed in next.Where(n => !before.Contains(n)))
                if (!IsMereRefresh(aor, before, changed)) Save(aor, changed);
            writer.Flush();
            return new RegisterResult(RegisterOutcome.Registered, next);
        }

        RegisterResult Refused(RegisterOutcome outcome) => new(outcome, []);
    }

    /// <summary>Removes every binding of the agent (signing out unregisters its phones); answers how many were live.</summary>
    public int Clear(Guid tenantId, string agentId)
    {
        if (!tenants.TryGetValue(tenantId, out var agents) || !agents.TryGetValue(agentId, out var aor)) return 0;
        lock (aor)
        {
            var now = Now;
            var live = aor.Bindings.Count(b => b.IsLiveAt(now));
            foreach (var b in aor.Bindings) Delete(aor, b.Id);
            aor.Bindings = [];
            writer.Flush();
            return live;
        }
    }

    // A refresh of the same contact from the same place that moves its expiry by less than a tenth of its
    // duration past what is saved is not written: the database then holds an expiry up to that much early (and an
    // older Call-ID and CSeq), which only matters after a restart, and a phone refreshes well before its binding
    // runs out. Without this, a phone re-registering every few seconds (or a burst of them) would cost a database
    // write each time.
    private static bool IsMereRefresh(Aor aor, SoftphoneBinding[] before, SoftphoneBinding binding) =>
        aor.SavedExpiry.TryGetValue(binding.Id, out var saved)
        && before.FirstOrDefault(b => b.Id == binding.Id) is { } previous
        && previous.Contact == binding.Contact && previous.Source == binding.Source
        && previous.Transport == binding.Transport && previous.Registrar == binding.Registrar
        && binding.ExpiresAt - saved < (binding.ExpiresAt - binding.RegisteredAt) / 10;

    private void Save(Aor aor, SoftphoneBinding binding)
    {
        aor.SavedExpiry[binding.Id] = binding.ExpiresAt;
        writer.Save(binding);
    }

    private void Delete(Aor aor, Guid id)
    {
        aor.SavedExpiry.Remove(id);
        writer.Delete(id);
    }

    // RFC 3261 10.3 step 7: an update from the same Call-ID must carry a higher CSeq than the one it replaces.
    private static bool IsOutOfOrder(SoftphoneBinding existing, RegisterRequest request) =>
        existing.CallId == request.CallId && request.CSeq <= existing.CSeq;

    private Aor AorOf(Guid tenantId, string agentId) =>
        tenants.GetOrAdd(tenantId, _ => new ConcurrentDictionary<string, Aor>(StringComparer.Ordinal)).GetOrAdd(agentId, _ => new Aor());

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Drops expired bindings from memory and the database.</summary>
    internal void Sweep()
    {
        var now = Now;
        foreach (var agents in tenants.Values)
        foreach (var aor in agents.Values)
        {
            if (aor.Bindings.All(b => b.IsLiveAt(now))) continue;
            // The emptied entry stays: a REGISTER may hold it already, and there is one per agent at most.
            lock (aor)
            {
                foreach (var b in aor.Bindings.Where(b => !b.IsLiveAt(now))) Delete(aor, b.Id);
                aor.Bindings = [.. aor.Bindings.Where(b => b.IsLiveAt(now))];
            }
        }
        writer.Flush();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        await using (var scope = writer.Scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
            await db.Set<SoftphoneBinding>().Where(b => b.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
            var live = await db.Set<SoftphoneBinding>().AsNoTracking().ToListAsync(cancellationToken);
            foreach (var group in live.GroupBy(b => (b.TenantId, b.AgentId)))
            {
                var aor = AorOf(group.Key.TenantId, group.Key.AgentId);
                aor.Bindings = [.. group.OrderBy(b => b.RegisteredAt)];
                foreach (var b in group) aor.SavedExpiry[b.Id] = b.ExpiresAt;
            }
        }
        sweeper = clock.CreateTimer(_ => Sweep(), null, policy.SweepInterval, policy.SweepInterval);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (sweeper is not null) await sweeper.DisposeAsync();
        await writer.DisposeAsync();
    }

    /// <summary>One softphone number's bindings; the lock object for changes to them.</summary>
    private sealed class Aor
    {
        /// <summary>The expiry last handed to the writer, per binding (under the lock).</summary>
        public Dictionary<Guid, DateTime> SavedExpiry { get; } = [];

        private SoftphoneBinding[] bindings = [];

        public SoftphoneBinding[] Bindings
        {
            get => Volatile.Read(ref bindings);
            set => Volatile.Write(ref bindings, value);
        }
    }
}
