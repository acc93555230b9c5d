using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Yunke.Core.Calls;

public enum CallDirection { Inbound, Outbound }

/// <summary>How a call ended, from the caller's point of view.</summary>
public enum CallResult
{
    /// <summary>An agent answered; the call was talked and hung up.</summary>
    Answered,
    /// <summary>The caller hung up before an agent answered (while waiting or while an agent's phone rang).</summary>
    Abandoned,
    /// <summary>The skill queue already held its maximum number of waiting calls.</summary>
    QueueFull,
    /// <summary>No agent took the call within the queue's maximum wait.</summary>
    QueueTimeout,
    /// <summary>Refused before queueing: no route, an IVR route (not served yet), no codec in common, a direct call to a softphone.</summary>
    Rejected,
    /// <summary>Yunke or a peer failed (an error answer from the far side, no answer from the network).</summary>
    Failed,
}

/// <summary>
/// One call as it happened (话单): who called whom, where it waited, who took it, when, and how it ended.
/// Written once, when the call ends, by the call controller.
/// </summary>
public sealed class CallRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public CallDirection Direction { get; init; }
    /// <summary>The calling number (the caller's SIP user, or for outbound calls the tenant's number shown).</summary>
    public required string Caller { get; init; }
    /// <summary>The called number: the access code for inbound calls, the customer's number for outbound ones.</summary>
    public required string Callee { get; init; }
    public Guid? SkillQueueId { get; init; }
    /// <summary>The agent who last had the call offered (ringing) or who talked on it.</summary>
    public string? AgentId { get; init; }
    public DateTime OfferedAt { get; init; }
    public DateTime? AnsweredAt { get; init; }
    public DateTime EndedAt { get; init; }
    /// <summary>From arrival to an agent's answer (or to the end, when nobody answered).</summary>
    public int WaitSeconds { get; init; }
    public int TalkSeconds { get; init; }
    public CallResult Result { get; init; }
    /// <summary>The SIP reason behind the result ("486 Queue Full"), for support.</summary>
    public string? Reason { get; init; }
    /// <summary>The WAV file under the recordings folder, or null when the call was not recorded.</summary>
    public string? RecordingFile { get; init; }
    /// <summary>The caller leg's SIP Call-ID, to find a call in logs and traces.</summary>
    public string? SipCallId { get; init; }
}

internal sealed class CallRecordMap : IEntityTypeConfiguration<CallRecord>
{
    public void Configure(EntityTypeBuilder<CallRecord> b)
    {
        b.HasKey(c => c.Id);
        b.HasIndex(c => new { c.TenantId, c.OfferedAt });
        b.HasIndex(c => new { c.TenantId, c.AgentId, c.OfferedAt });
        b.Property(c => c.Direction).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Result).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Caller).HasMaxLength(64);
        b.Property(c => c.Callee).HasMaxLength(64);
        b.Property(c => c.AgentId).HasMaxLength(32);
        b.Property(c => c.Reason).HasMaxLength(128);
        b.Property(c => c.RecordingFile).HasMaxLength(128);
        b.Property(c => c.SipCallId).HasMaxLength(256);
    }
}
