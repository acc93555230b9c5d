using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.SkillQueues;

/// <summary>The five kinds of skill queue of the seed (语音、多媒体、视频、语音点击通话、视频点击通话).</summary>
public enum MediaType { Voice, Multimedia, Video, VoiceClickToCall, VideoClickToCall }

/// <summary>A skill queue (技能队列): agents who handle one kind of request, and how long callers may wait for them.</summary>
public sealed class SkillQueue
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public required string Name { get; set; }
    /// <summary>Upper-case form of <see cref="Name"/>: names are unique per tenant regardless of case.</summary>
    public string NormalizedName { get; set; } = "";
    public MediaType MediaType { get; set; }
    public int MaxQueueLength { get; set; }
    public int MaxWaitSeconds { get; set; }
    public int WrapUpSeconds { get; set; }
    public DateTime CreatedAt { get; init; }
}

internal sealed class SkillQueueMap : IEntityTypeConfiguration<SkillQueue>
{
    public void Configure(EntityTypeBuilder<SkillQueue> b)
    {
        b.HasKey(q => q.Id);
        b.Property(q => q.Name).HasMaxLength(SkillQueueService.MaxNameLength);
        b.Property(q => q.NormalizedName).HasMaxLength(SkillQueueService.MaxNameLength);
        b.HasIndex(q => new { q.TenantId, q.NormalizedName }).IsUnique();
        b.Property(q => q.MediaType).HasConversion<string>().HasMaxLength(24);
    }
}
