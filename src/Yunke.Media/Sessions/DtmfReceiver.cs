using Yunke.Media.Codecs;
using Yunke.Media.Rtp;

namespace Yunke.Media.Sessions;

/// <summary>
/// Turns the RFC 4733 telephone events a session receives into keys pressed: one
/// <see cref="DigitReceived"/> per event, when it ends (its end packet, which is sent three times, or the
/// next event starting if every end packet was lost). An event is known by its RTP timestamp (RFC 4733 2.5).
/// </summary>
public sealed class DtmfReceiver : IDisposable
{
    private readonly RtpSession session;
    private readonly Lock gate = new();
    private uint currentTimestamp;
    private TelephoneEvent? current;
    private bool reported;

    public DtmfReceiver(RtpSession session)
    {
        this.session = session;
        session.PacketReceived += OnPacket;
    }

    /// <summary>The key (0–9, *, #, A–D) and how long it was held; raised on the session's receive loop.</summary>
    public event Action<char, TimeSpan>? DigitReceived;

    private void OnPacket(RtpSession from, RtpPacket packet)
    {
        var format = (from.Peer?.Codecs ?? CodecRegistry.Default)[packet.PayloadType];
        if (format is not { IsTelephoneEvent: true } || !TelephoneEvent.TryParse(packet.Payload, out var e)) return;
        (char Digit, TimeSpan Held)? done = null, previous = null;
        lock (gate)
        {
            if (current is null || packet.Timestamp != currentTimestamp)
            {
                // A new event; the last one ends here if its end packets were all lost.
                if (current is { } last && !reported) previous = Report(last, format.ClockRate);
                currentTimestamp = packet.Timestamp;
                reported = false;
            }
            current = e;
            if (e.End && !reported)
            {
                reported = true;
                done = Report(e, format.ClockRate);
            }
        }
        if (previous is { Digit: not '\0' } p) DigitReceived?.Invoke(p.Digit, p.Held);
        if (done is { Digit: not '\0' } d) DigitReceived?.Invoke(d.Digit, d.Held);
    }

    private static (char, TimeSpan) Report(TelephoneEvent e, int clockRate) =>
        (e.Digit ?? '\0', TimeSpan.FromSeconds((double)e.Duration / clockRate));

    public void Dispose() => session.PacketReceived -= OnPacket;
}
