namespace Yunke.Core.Registrations;

/// <summary>
/// How long registrations may last and how many a softphone number may hold (from <c>Yunke:Sip</c>).
/// A phone asking for less than <see cref="MinExpires"/> is told 423 Interval Too Brief; more than
/// <see cref="MaxExpires"/> is cut down to it, so a vanished phone does not stay "registered" for days.
/// </summary>
public sealed record RegistrarPolicy(int MinExpires = 60, int MaxExpires = 3600, int DefaultExpires = 3600, int MaxContacts = 10)
{
    /// <summary>How often expired bindings are purged: often enough that the store follows the shortest allowed registration.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromSeconds(Math.Clamp(MinExpires / 2.0, 1, 30));
}
