using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Scalar.AspNetCore;
using Yunke.Core;
using Yunke.Core.Accounts;
using Yunke.Core.Calls;
using Yunke.Core.Offerings;
using Yunke.Core.Persistence;
using Yunke.Media.Sessions;
using Yunke.Server.Api;
using Yunke.Server.Auth;
using Yunke.Server.Components;
using Yunke.Server.Hosting;
using Yunke.Server.Telephony;
using Yunke.Server.Telephony.Calls;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls("http://127.0.0.1:8080");

var options = builder.Configuration.GetSection("Yunke").Get<YunkeOptions>() ?? new YunkeOptions();
var dataDir = Path.GetFullPath(options.DataDir);
Directory.CreateDirectory(dataDir);
builder.Services.AddSingleton(options);

builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys")));
builder.Services.AddYunkeDatabase(options.Database.Provider, options.Database.ConnectionString, dataDir);
builder.Services.AddYunkeCore();
builder.Services.AddYunkeTelephony(options.Sip, options.Rtp, options.Calls);
builder.Services.AddSingleton(new CallRecordings(Path.Combine(dataDir, "recordings")));
builder.Services.AddYunkeAuth(new TokenIssuer(dataDir));
builder.Services.AddProblemDetails();
// Binding failures (bad JSON, a word where a number belongs) reach ProblemMapping instead of a bare 400.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExceptionHandler<ProblemMapping>();
builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "Yunke cloud contact center API";
    document.Info.Description = "The public contract of Yunke (api-v1). Sign in with POST /api/v1/auth/login and send the token as 'Authorization: Bearer <token>'.";
    return Task.CompletedTask;
}));
builder.Services.AddYunkeConsole();
// Serve the console's package assets (MudBlazor, Blazor's script) from a build in any environment, not only Development;
// a published app carries them in wwwroot and this is a no-op there.
builder.WebHost.UseStaticWebAssets();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
});

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<YunkeDb>();
    await db.MigrateAsync();
    await scope.ServiceProvider.GetRequiredService<OfferingService>().EnsureSeededAsync();
    var generated = await scope.ServiceProvider.GetRequiredService<AccountService>().EnsureOperatorAsync(options.Operator.Password);
    if (generated is not null)
        Console.WriteLine($"Yunke operator account created: account 'operator', password '{generated}' (shown once; change it after signing in).");
}

app.UseExceptionHandler();
app.UseWebSockets();
app.UseStatusCodePages();
app.UseConsoleCulture();
app.UseAuthentication();
app.UsePasswordChangeGate();
app.UseConsolePasswordGate();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi();
app.MapScalarApiReference("/docs", o => o.DisableDefaultFonts()); // no fonts from outside hosts
// Healthy once HTTP answers and SIP listens: the hosts that start Yunke wait for both.
// With how busy the calls are, for a load balancer or a dashboard: calls in progress, and the media threads' load.
app.MapGet("/healthz", (TelephonyHost sip, CallController calls, RtpPortAllocator ports) => sip.IsListening
    ? Results.Ok(new { status = "ok", calls = calls.ActiveCount, mediaLoad = Math.Round(ports.Poller?.Load ?? 0, 2) })
    : Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable)).ExcludeFromDescription();
app.MapTelephony();

var open = app.MapGroup("/api/v1").WithTags("Yunke");
var api = app.MapGroup("/api/v1").RequireAuthorization(AuthSetup.ApiPolicy).WithTags("Yunke");
api.MapAccountEndpoints(open);
api.MapOfferingEndpoints(open);
api.MapNumberEndpoints();
api.MapInstanceEndpoints();
api.MapTrialEndpoints();
api.MapVerificationEndpoints();
api.MapOperatorAccountEndpoints();
api.MapSkillQueueEndpoints();
api.MapAgentEndpoints();
api.MapCalledRouteEndpoints();
api.MapStaffEndpoints();
api.MapWorkbenchEndpoints();
api.MapCallEndpoints();

app.MapStaticAssets();
app.MapConsoleEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Yunke is listening on {string.Join(", ", app.Urls)} (data in {dataDir})."));
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
