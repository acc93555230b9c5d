using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.AgentStates;

/// <summary>An agent's state at one moment: what the workbench shows and what survives a restart.</summary>
public sealed record AgentStatus(string AgentId, AgentState State, DateTime Since, Guid? CallId = null, DateTime? Until = null)
{
    public static AgentStatus SignedOut(string agentId, DateTime at) => new(agentId, AgentState.SignedOut, at);
}

/// <summary>One change, as published to the agent's and its supervisors' event streams.</summary>
public sealed record AgentStateChanged(Guid TenantId, string AgentId, AgentState From, AgentState To, AgentTrigger Trigger,
    DateTime At, Guid? CallId, DateTime? Until);

/// <summary>The persisted row of an agent's state, written behind the live owner.</summary>
public sealed class AgentPresence
{
    public Guid TenantId { get; init; }
    public required string AgentId { get; init; }
    public AgentState State { get; set; }
    public DateTime Since { get; set; }
    public Guid? CallId { get; set; }
    public DateTime? Until { get; set; }
}

internal sealed class AgentPresenceMap : IEntityTypeConfiguration<AgentPresence>
{
    public void Configure(EntityTypeBuilder<AgentPresence> b)
    {
        b.HasKey(p => new { p.TenantId, p.AgentId });
        b.Property(p => p.AgentId).HasMaxLength(32);
        b.Property(p => p.State).HasConversion<string>().HasMaxLength(16);
    }
}
