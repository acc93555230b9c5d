using Yunke.Core.Common;
using Yunke.Core.SkillQueues;
using Yunke.Core.Staff;
using Yunke.Server.Auth;

namespace Yunke.Server.Api;

/// <summary>Skill queues of the instance (seed chapter 4): managed with skillQueues.manage, read also by who binds agents or routes numbers.</summary>
public static class SkillQueueEndpoints
{
    public static void MapSkillQueueEndpoints(this RouteGroupBuilder api)
    {
        var queues = api.MapGroup("/skill-queues");
        var manage = Permissions.SkillQueuesManage;
        var read = SkillQueueService.ReadPermissions.ToArray();

        queues.MapPost("", async (SkillQueueService.QueueInput body, SkillQueueService service, HttpContext http) =>
            {
                var queue = await service.CreateAsync(http.Actor(), body, http.RequestAborted);
                return TypedResults.Created($"/api/v1/skill-queues/{queue.Id}", queue);
            })
            .RequirePermission(manage)
            .WithSummary("Create a skill queue: voice, multimedia, video, voiceClickToCall or videoClickToCall; names unique per instance.");

        queues.MapGet("", (int? page, int? pageSize, SkillQueueService service, HttpContext http) =>
                service.ListAsync(http.Actor(), PageRequest.From(page, pageSize), http.RequestAborted))
            .RequirePermission(read)
            .WithSummary("The instance's skill queues, oldest first.");

        queues.MapGet("/{id:guid}", (Guid id, SkillQueueService service, HttpContext http) =>
                service.GetAsync(http.Actor(), id, http.RequestAborted))
            .RequirePermission(read)
            .WithSummary("One skill queue.");

        queues.MapPut("/{id:guid}", (Guid id, SkillQueueService.QueueInput body, SkillQueueService service, HttpContext http) =>
                service.UpdateAsync(http.Actor(), id, body, http.RequestAborted))
            .RequirePermission(manage)
            .WithSummary("Replace a skill queue's settings; a new media type must fit the agents linked to it.");

        queues.MapDelete("/{id:guid}", async (Guid id, SkillQueueService service, HttpContext http) =>
            {
                await service.DeleteAsync(http.Actor(), id, http.RequestAborted);
                return TypedResults.NoContent();
            })
            .RequirePermission(manage)
            .WithSummary("Delete a skill queue and unlink it from its agents; refused (409) while a called route leads to it.");
    }
}
