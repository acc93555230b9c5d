using Yunke.Core.Agents;
using Yunke.Core.Common;
using Yunke.Core.Staff;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Agent IDs, their bindings and softphones (seed chapter 4 step 3, 通过 OpenEye 进行通话 steps 1–2).</summary>
public static class AgentEndpoints
{
    public sealed record PasswordRequest(string? Password);

    public static void MapAgentEndpoints(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents").RequirePermission(Permissions.AgentsManage);

        agents.MapGet("", (int? page, int? pageSize, AgentService service, HttpContext http) =>
                service.ListAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .WithSummary("The instance's pre-allocated agent IDs with type, skill queues, bound account and softphone number.");

        agents.MapGet("/{agentId}", (string agentId, AgentService service, HttpContext http) =>
                service.GetAsync(http.Actor(), agentId, http.RequestAborted))
            .WithSummary("One agent ID.");

        agents.MapPut("/{agentId}", (string agentId, AgentService.AgentInput body, AgentService service, HttpContext http) =>
                service.UpdateAsync(http.Actor(), agentId, body, http.RequestAborted))
            .WithSummary("Bind an employee account (null unbinds) and skill queues fitting the agent type; set auto-answer. Null fields other than employeeAccount keep their value.");

        agents.MapGet("/{agentId}/softphone", (string agentId, SoftphoneService service, HttpContext http) =>
                service.GetAsync(http.Actor(), agentId, http.RequestAborted))
            .WithSummary("The agent's softphone number, registration servers (one in single mode, two in pool mode) and registrations.");

        agents.MapPost("/{agentId}/softphone/password", (string agentId, PasswordRequest body, SoftphoneService service, HttpContext http) =>
                service.SetPasswordAsync(http.Actor(), agentId, body.Password, http.RequestAborted))
            .WithSummary("Reset the softphone password; only the SIP digest HA1 is stored.");

        var settings = api.MapGroup("/softphone-settings").RequirePermission(Permissions.AgentsManage);

        settings.MapGet("", (SoftphoneService service, HttpContext http) => service.GetSettingsAsync(http.Actor(), http.RequestAborted))
            .WithSummary("The instance's softphone mode (single or pool) and unified authentication.");

        settings.MapPut("", (SoftphoneService.SettingsInput body, SoftphoneService service, HttpContext http) =>
                service.UpdateSettingsAsync(http.Actor(), body, http.RequestAborted))
            .WithSummary("Switch single/pool mode and unified authentication; null fields keep their value.");

        api.MapGet("/agent/me", (AgentService service, HttpContext http) => service.GetMineAsync(http.Actor(), http.RequestAborted))
            .WithSummary("The agent ID bound to the signed-in staff account (404 when none).");
    }
}
