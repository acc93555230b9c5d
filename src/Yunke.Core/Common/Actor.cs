namespace Yunke.Core.Common;

/// <summary>The roles a signed-in account can hold.</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string CloudAccount = "cloudAccount";
    public const string TenantAdmin = "tenantAdmin";
    public const string Supervisor = "supervisor";
    public const string Agent = "agent";
}

/// <summary>Who is acting, and from where: every command takes one, for rules and the audit log.</summary>
public sealed record Actor(Guid AccountId, string Account, IReadOnlyCollection<string> Roles, Guid? TenantId, string? RemoteIp)
{
    public bool Is(string role) => Roles.Contains(role);

    /// <summary>Refuses unless the actor holds one of the roles (the API checks too; this keeps pages honest).</summary>
    public Actor Require(params string[] roles)
    {
        if (!roles.Any(Is)) throw YunkeException.Forbidden();
        return this;
    }

    /// <summary>The tenant this actor administers, or a refusal.</summary>
    public Guid Tenant => TenantId ?? throw YunkeException.Forbidden("This needs an account of a call center instance.");

    /// <summary>Actions the platform takes by itself, such as first-start seeding.</summary>
    public static Actor System { get; } = new(Guid.Empty, "system", [Core.Common.Roles.Operator], null, null);
}
