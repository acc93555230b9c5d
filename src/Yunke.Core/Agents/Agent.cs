using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.Accounts;
using Yunke.Core.SkillQueues;

namespace Yunke.Core.Agents;

/// <summary>What kind of seat an agent ID was allocated from.</summary>
public enum AgentType { Voice, Video, Multimedia }

/// <summary>
/// An agent ID (座席工号), pre-allocated from the instance's purchased seats. The tenant admin binds an
/// employee's account and skill queues to it; it also carries the agent's softphone.
/// </summary>
public sealed class Agent
{
    public Guid TenantId { get; init; }
    /// <summary>Digits, unique within the tenant: 1001, 1002, ...</summary>
    public required string AgentId { get; init; }
    public AgentType AgentType { get; init; }
    /// <summary>The bound business account; an account is bound to at most one agent ID.</summary>
    public Guid? EmployeeAccountId { get; set; }
    public List<AgentSkill> Skills { get; init; } = [];
    public bool AutoAnswer { get; set; }
    public int AutoAnswerDelaySeconds { get; set; } = AgentService.DefaultAutoAnswerDelaySeconds;
    /// <summary>Platform-unique: the tenant's softphone prefix followed by the agent ID (see <see cref="Softphones"/>).</summary>
    public required string SoftphoneNumber { get; init; }
    /// <summary>SIP digest HA1 = MD5(number:realm:password), lower-case hex; the password itself is never stored.</summary>
    public string? SoftphoneHa1 { get; set; }
    public DateTime? SoftphonePasswordSetAt { get; set; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>That an agent serves a skill queue.</summary>
public sealed class AgentSkill
{
    public Guid TenantId { get; init; }
    public required string AgentId { get; init; }
    public Guid SkillQueueId { get; init; }
}

internal sealed class AgentMap : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> b)
    {
        b.HasKey(a => new { a.TenantId, a.AgentId });
        b.Property(a => a.AgentId).HasMaxLength(32);
        b.Property(a => a.AgentType).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.SoftphoneNumber).HasMaxLength(32);
        b.HasIndex(a => a.SoftphoneNumber).IsUnique();
        b.Property(a => a.SoftphoneHa1).HasMaxLength(32);
        // NULLs do not collide in a unique index, so only bound accounts are held to one agent ID.
        b.HasIndex(a => a.EmployeeAccountId).IsUnique();
        // Deleting an employee frees its agent ID rather than leaving it bound to nobody.
        b.HasOne<Account>().WithMany().HasForeignKey(a => a.EmployeeAccountId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(a => a.Skills).WithOne().HasForeignKey(s => new { s.TenantId, s.AgentId }).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AgentSkillMap : IEntityTypeConfiguration<AgentSkill>
{
    public void Configure(EntityTypeBuilder<AgentSkill> b)
    {
        b.HasKey(s => new { s.TenantId, s.AgentId, s.SkillQueueId });
        b.Property(s => s.AgentId).HasMaxLength(32);
        b.HasIndex(s => s.SkillQueueId);
        b.HasOne<SkillQueue>().WithMany().HasForeignKey(s => s.SkillQueueId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Which skill queues fit which agent. An agent takes only what its seat can handle:
/// <list type="bullet">
/// <item>voice agent: voice, voiceClickToCall (audio only);</item>
/// <item>video agent: video, videoClickToCall, and the audio types voice, voiceClickToCall (a video seat can take an audio call);</item>
/// <item>multimedia agent: multimedia (text chat) only.</item>
/// </list>
/// </summary>
public static class AgentQueues
{
    private static readonly Dictionary<AgentType, MediaType[]> Allowed = new()
    {
        [AgentType.Voice] = [MediaType.Voice, MediaType.VoiceClickToCall],
        [AgentType.Video] = [MediaType.Video, MediaType.VideoClickToCall, MediaType.Voice, MediaType.VoiceClickToCall],
        [AgentType.Multimedia] = [MediaType.Multimedia],
    };

    public static IReadOnlyList<MediaType> AllowedFor(AgentType type) => Allowed[type];

    public static bool Fits(AgentType type, MediaType media) => Allowed[type].Contains(media);

    /// <summary>The queue a new agent of this type is linked to when the instance is created.</summary>
    public static MediaType DefaultFor(AgentType type) => type switch
    {
        AgentType.Voice => MediaType.Voice,
        AgentType.Video => MediaType.Video,
        _ => MediaType.Multimedia,
    };
}
