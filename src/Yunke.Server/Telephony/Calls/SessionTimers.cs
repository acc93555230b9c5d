using System.Globalization;
using Yunke.Sip.Messages;

namespace Yunke.Server.Telephony.Calls;

/// <summary>A Session-Expires header field (RFC 4028 4): the interval and who refreshes, "uac" or "uas" of that transaction.</summary>
public sealed record SessionExpires(int Seconds, string? Refresher = null)
{
    public const string Header = "Session-Expires";
    public const string MinHeader = "Min-SE";

    public static SessionExpires? Of(SipMessage message)
    {
        var value = message.Headers.Get(Header);
        if (value is null) return null;
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return null;
        var refresher = parts.Skip(1).Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .FirstOrDefault(p => p.Length == 2 && p[0].Equals("refresher", StringComparison.OrdinalIgnoreCase))?[1].ToLowerInvariant();
        return new SessionExpires(seconds, refresher is "uac" or "uas" ? refresher : null);
    }

    /// <summary>The Min-SE of a request, if any.</summary>
    public static int? MinOf(SipMessage message) =>
        message.Headers.Get(MinHeader) is { } value && int.TryParse(value.Split(';')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            ? min : null;

    /// <summary>Whether the sender supports session timers (Supported: timer, or Require: timer).</summary>
    public static bool SupportedBy(SipMessage message) =>
        message.Headers.GetValues(SipHeaderNames.Supported).Concat(message.Headers.GetValues(SipHeaderNames.Require))
            .Any(v => v.Equals("timer", StringComparison.OrdinalIgnoreCase));

    public override string ToString() =>
        Seconds.ToString(CultureInfo.InvariantCulture) + (Refresher is null ? "" : ";refresher=" + Refresher);

    /// <summary>Adds this field, and Require: timer when the refresher is the request's sender, which must then do it (RFC 4028 9).</summary>
    public void AddTo(SipResponse response, SipRequest request)
    {
        response.Headers.Add(Header, ToString());
        response.Headers.Add(SipHeaderNames.Supported, "timer");
        if (Refresher == "uac" && SupportedBy(request)) response.Headers.Add(SipHeaderNames.Require, "timer");
    }
}

/// <summary>Session timer settings: Yunke's preferred interval and the smallest it accepts (<c>Yunke:Calls</c>).</summary>
public sealed record SessionTimerSettings(int ExpiresSeconds, int MinSeconds)
{
    /// <summary>
    /// The 422 an INVITE or UPDATE gets when it asks for an interval below our Min-SE (RFC 4028 8.1, 9), or null
    /// when it is acceptable.
    /// </summary>
    public int? TooSmall(SipRequest request) =>
        SessionExpires.Of(request) is { } asked && asked.Seconds < MinSeconds ? MinSeconds : null;

    /// <summary>
    /// The terms of the caller's dialog, as Yunke answers its INVITE (RFC 4028 9): the caller's interval when it asked
    /// for one (already checked against Min-SE), else ours but not under the caller's Min-SE; the caller refreshes when
    /// it said so or supports timers and did not say, else Yunke does.
    /// </summary>
    public SessionExpires ForIncoming(SipRequest invite)
    {
        var asked = SessionExpires.Of(invite);
        var seconds = Math.Min(asked?.Seconds ?? ExpiresSeconds, ExpiresSeconds);
        seconds = Math.Max(seconds, Math.Max(SessionExpires.MinOf(invite) ?? 0, MinSeconds));
        var refresher = asked?.Refresher ?? (SessionExpires.SupportedBy(invite) ? "uac" : "uas");
        return new SessionExpires(seconds, refresher);
    }

    /// <summary>What Yunke asks for in its own INVITEs; the phone chooses the refresher.</summary>
    public void AddTo(SipRequest invite)
    {
        invite.Headers.Add(SipHeaderNames.Supported, "timer");
        invite.Headers.Add(SessionExpires.Header, ExpiresSeconds.ToString(CultureInfo.InvariantCulture));
        invite.Headers.Add(SessionExpires.MinHeader, MinSeconds.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>The session timer agreed on one leg: its interval and whether Yunke is the one to refresh.</summary>
public sealed record SessionTerms(TimeSpan Interval, bool YunkeRefreshes)
{
    /// <summary>From a 2xx to an INVITE or UPDATE Yunke sent: refresher=uac is Yunke. No Session-Expires: no timer (RFC 4028 7.4).</summary>
    public static SessionTerms? FromAnswerToUs(SipResponse ok) =>
        SessionExpires.Of(ok) is { } agreed ? new(TimeSpan.FromSeconds(agreed.Seconds), agreed.Refresher != "uas") : null;

    /// <summary>From what Yunke answered to the peer's request: refresher=uas is Yunke.</summary>
    public static SessionTerms FromOurAnswer(SessionExpires answered) =>
        new(TimeSpan.FromSeconds(answered.Seconds), answered.Refresher == "uas");
}

/// <summary>
/// One leg's session timer (RFC 4028 10): when Yunke refreshes, due at half the interval; when the peer does,
/// due when the session expires (the interval less a third of it, at most 32 s, so our BYE goes out in time).
/// Restarted by every refresh either way.
/// </summary>
public sealed class SessionTimer(TimeProvider clock, Action<SessionTerms> due) : IDisposable
{
    private readonly Lock sync = new();
    private ITimer? timer;
    private bool disposed;

    public SessionTerms? Terms { get; private set; }

    public void Restart(SessionTerms? terms)
    {
        lock (sync)
        {
            if (disposed) return;
            timer?.Dispose();
            timer = null;
            Terms = terms;
            if (terms is null) return;
            var after = terms.YunkeRefreshes ? terms.Interval / 2 : terms.Interval - Min(TimeSpan.FromSeconds(32), terms.Interval / 3);
            timer = clock.CreateTimer(_ => due(terms), null, after, Timeout.InfiniteTimeSpan);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public void Dispose()
    {
        lock (sync)
        {
            disposed = true;
            timer?.Dispose();
        }
    }
}
