using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Yunke.Core.Common;
using Yunke.Core.Idempotency;
using Yunke.Core.Persistence;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>
/// Safe duplicate submissions for creating POSTs: <c>.WithIdempotency()</c> on an endpoint makes a repeated
/// request with the same <c>Idempotency-Key</c> (same account, same endpoint, within a day) answer the first
/// response again instead of creating a second resource. Requests without the header run as usual.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(InvokeAsync);

    private static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(key)) return await next(context);
        if (key.Length > 100 || key.Any(char.IsControl))
            throw YunkeException.Invalid(Header, $"{Header} must be 1 to 100 printable characters.");

        var services = http.RequestServices;
        var db = services.GetRequiredService<YunkeDb>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Yunke.Idempotency");
        var accountId = http.Actor().AccountId;
        var endpoint = $"{http.Request.Method} {http.Request.Path}";
        var ct = http.RequestAborted;

        var expired = now - IdempotentRequest.Retention;
        await db.Set<IdempotentRequest>().Where(r => r.CreatedAt < expired).ExecuteDeleteAsync(ct);
        var earlier = await db.Set<IdempotentRequest>().AsNoTracking()
            .SingleOrDefaultAsync(r => r.AccountId == accountId && r.Key == key, ct);
        if (earlier is not null) return Replay(earlier, endpoint, protector);

        // Claim the key first: a concurrent duplicate then loses on the unique index instead of running twice.
        var claim = new IdempotentRequest { AccountId = accountId, Key = key, Endpoint = endpoint, CreatedAt = now };
        db.Add(claim);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { throw InProgress(); }
        finally { db.Entry(claim).State = EntityState.Detached; }

        object? result;
        try { result = await next(context); }
        catch
        {
            await Release(db, claim.Id);
            throw;
        }

        if (result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } success and IValueHttpResult { Value: { } value })
        {
            var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            var body = JsonSerializer.Serialize(value, value.GetType(), json);
            var location = result.GetType().GetProperty("Location")?.GetValue(result) as string;
            await db.Set<IdempotentRequest>().Where(r => r.Id == claim.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.StatusCode, success.StatusCode ?? 200)
                .SetProperty(r => r.ProtectedBody, protector.Protect(body))
                .SetProperty(r => r.Location, location), ct);
        }
        else await Release(db, claim.Id); // a refusal is not remembered: the caller may fix the request and retry with the key
        return result;
    }

    private static IResult Replay(IdempotentRequest earlier, string endpoint, IDataProtector protector)
    {
        if (earlier.Endpoint != endpoint)
            throw new YunkeException(Problem.Rule, "idempotencyKeyReused",
                $"This {Header} was already used for {earlier.Endpoint}; use a new key for a new request.");
        if (earlier.StatusCode == 0) throw InProgress();
        return new ReplayResult(earlier.StatusCode, protector.Unprotect(earlier.ProtectedBody!), earlier.Location);
    }

    private static Task Release(YunkeDb db, long id) =>
        db.Set<IdempotentRequest>().Where(r => r.Id == id).ExecuteDeleteAsync(CancellationToken.None);

    private static YunkeException InProgress() => YunkeException.Conflict("idempotencyKeyInUse",
        $"A request with this {Header} is still being processed; retry in a moment.");

    private sealed class ReplayResult(int status, string body, string? location) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.Headers[ReplayedHeader] = "true";
            if (location is not null) http.Response.Headers.Location = location;
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.WriteAsync(body, Encoding.UTF8);
        }
    }
}
