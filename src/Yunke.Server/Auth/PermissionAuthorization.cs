using Microsoft.AspNetCore.Authorization;
using Yunke.Core.Calls;
using Yunke.Core.Staff;

namespace Yunke.Server.Auth;

/// <summary>Met when the signed-in staff account holds one of these permissions in its tenant.</summary>
public sealed record PermissionRequirement(IReadOnlyList<string> AnyOf) : IAuthorizationRequirement;

/// <summary>
/// Resolves the caller's roles to permissions through the same <see cref="StaffPermissions"/> the
/// services check with, so built-in and custom roles authorise alike and a custom role's edit
/// applies to the next request.
/// </summary>
public sealed class PermissionHandler(StaffPermissions permissions) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return;
        var actor = context.User.ToActor(null);
        var granted = await permissions.OfAsync(actor);
        if (requirement.AnyOf.Any(granted.Contains)) context.Succeed(requirement);
    }
}

public static class PermissionAuthorization
{
    /// <summary>Named policies, one per permission, for console pages: <c>[Authorize(Policy = PermissionAuthorization.Policy + Permissions.X)]</c>.</summary>
    public const string Policy = "permission:";

    /// <summary>The console's call records and their recordings: supervisors, report readers and agents (their own calls).</summary>
    public const string CallRecordsPolicy = "callRecords";

    public static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in Permissions.All)
            builder.AddPolicy(Policy + permission.Code, p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement([permission.Code])));
        builder.AddPolicy(CallRecordsPolicy, p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(CallService.ReadPermissions)));
        return builder;
    }

    /// <summary>Lets the endpoint through only for staff holding one of the permissions (see docs/architecture.md).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, params string[] anyOf) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(p => p.AddRequirements(new PermissionRequirement(anyOf)));
}
