using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Yunke.Core.SkillQueues;

namespace Yunke.Core.CalledRoutes;

/// <summary>Where a called number leads: to a skill queue, or to an IVR robot.</summary>
public enum DeviceType { SkillQueue, Ivr }

/// <summary>
/// A called route (被叫配置): calls to an access code (one of the instance's numbers, optionally followed by
/// extension digits) go to a skill queue or an IVR. An access code routes for one tenant only, platform-wide.
/// </summary>
public sealed class CalledRoute
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public required string AccessCode { get; init; }
    /// <summary>The instance's number the access code begins with.</summary>
    public required string Number { get; init; }
    /// <summary>The extension digits after the number, or empty.</summary>
    public string Extension { get; init; } = "";
    public DeviceType DeviceType { get; init; }
    public Guid? SkillQueueId { get; init; }
    /// <summary>The IVR robot; robots come with a later issue, so only the id is kept for now.</summary>
    public string? RobotId { get; init; }
    public DateTime CreatedAt { get; init; }
}

internal sealed class CalledRouteMap : IEntityTypeConfiguration<CalledRoute>
{
    public void Configure(EntityTypeBuilder<CalledRoute> b)
    {
        b.HasKey(r => r.Id);
        b.Property(r => r.AccessCode).HasMaxLength(AccessCodes.MaxLength);
        b.HasIndex(r => r.AccessCode).IsUnique();
        b.HasIndex(r => r.TenantId);
        b.Property(r => r.Number).HasMaxLength(21);
        b.Property(r => r.Extension).HasMaxLength(AccessCodes.MaxExtensionDigits);
        b.Property(r => r.DeviceType).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.RobotId).HasMaxLength(64);
        b.HasOne<SkillQueue>().WithMany().HasForeignKey(r => r.SkillQueueId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>The pure rules of access codes: a number (5 to 20 digits, optional leading +) and up to 6 extension digits.</summary>
public static partial class AccessCodes
{
    public const int MaxExtensionDigits = 6;
    public const int MaxLength = 21 + MaxExtensionDigits;
    private const int MinNumberLength = 5;

    public static bool IsWellFormed(string? code) => code is not null && Pattern().IsMatch(code);

    /// <summary>The leading parts of a code that could be the number it begins with, longest first.</summary>
    public static IReadOnlyList<string> CandidateNumbers(string code)
    {
        var shortest = Math.Max(code.StartsWith('+') ? MinNumberLength + 1 : MinNumberLength, code.Length - MaxExtensionDigits);
        return Enumerable.Range(shortest, Math.Max(0, code.Length - shortest + 1)).Reverse().Select(n => code[..n]).ToList();
    }

    /// <summary>Splits a code at the longest of the given numbers it begins with; null when it begins with none.</summary>
    public static (string Number, string Extension)? Split(string code, IEnumerable<string> numbers)
    {
        var set = numbers.ToHashSet();
        var number = CandidateNumbers(code).FirstOrDefault(set.Contains);
        return number is null ? null : (number, code[number.Length..]);
    }

    [GeneratedRegex(@"^\+?[0-9]{5,26}$")]
    private static partial Regex Pattern();
}
