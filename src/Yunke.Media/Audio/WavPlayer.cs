using System.Runtime.CompilerServices;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;

namespace Yunke.Media.Audio;

/// <summary>
/// Plays a clip into a session as RTP: 20 ms frames in the session's audio codec, paced by a timer
/// against the clock (a late tick sends the frames that are due, so the pace does not drift; after a long
/// stall frames are skipped rather than sent in a burst), timestamps advancing 160 per frame, the marker
/// on the first. Looping plays it again without a break (ringback, queue music). One player at a time
/// per session, and not while a relay feeds it.
/// </summary>
public sealed class WavPlayer : IAsyncDisposable
{
    public const int FrameSamples = 160; // 20 ms at 8 kHz
    private static readonly TimeSpan FrameTime = TimeSpan.FromMilliseconds(20);
    private const int MaxBurst = 5;

    private readonly RtpSession session;
    private readonly AudioClip clip;
    private readonly bool loop;
    private readonly TimeProvider time;
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private readonly uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private ITimer? timer;
    private long startedAt;
    private long frame; // frames done (sent or skipped)
    private long sent;

    /// <param name="clip">8 kHz audio (<see cref="WavFile.ReadForTelephony"/>).</param>
    public WavPlayer(RtpSession session, AudioClip clip, bool loop = false, TimeProvider? time = null)
    {
        if (clip.SampleRate != 8000) throw new ArgumentException("Play 8 kHz audio: resample it first.", nameof(clip));
        if (clip.Samples.Length == 0 && loop) throw new ArgumentException("An empty clip cannot loop.", nameof(clip));
        this.session = session;
        this.clip = clip;
        this.loop = loop;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>Completes when the clip has been played (never for a loop) or the player is stopped.</summary>
    public Task Completion => completion.Task;
    public long FramesSent => Interlocked.Read(ref sent);

    public void Start()
    {
        lock (gate)
        {
            if (timer is not null) throw new InvalidOperationException("Already started.");
            startedAt = time.GetTimestamp();
            timer = time.CreateTimer(_ => Tick(), null, FrameTime, FrameTime);
        }
        // The first frame leaves now, not on a timer thread some time later: early media is heard from the first
        // moment, and the far end learns where the stream comes from even when the prompt is stopped at once.
        Tick();
    }

    public void Stop()
    {
        lock (gate)
        {
            timer?.Dispose();
            completion.TrySetResult();
        }
    }

    private void Tick()
    {
        // Timer callbacks may overlap on a busy machine; one at a time is enough.
        if (!gate.TryEnter()) return;
        try
        {
            if (completion.Task.IsCompleted) return;
            var due = (long)(time.GetElapsedTime(startedAt) / FrameTime) + 1;
            if (due - frame > MaxBurst) frame = due - MaxBurst;
            while (frame < due)
            {
                if (!loop && frame * FrameSamples >= clip.Samples.Length)
                {
                    timer?.Dispose();
                    completion.TrySetResult();
                    return;
                }
                SendFrame(frame);
                frame++;
            }
        }
        finally
        {
            gate.Exit();
        }
    }

    // Every byte of the stack buffers is written before it is sent: zeroing them first is wasted work per frame.
    [SkipLocalsInit]
    private void SendFrame(long index)
    {
        if (session.Peer is not { } peer || peer.Audio.Codec is not { } codec) return;
        Span<short> samples = stackalloc short[FrameSamples];
        ReadOnlySpan<short> clipSamples = clip.Samples;
        var offset = index * FrameSamples;
        if (loop)
        {
            // Copied in runs up to the clip's end and on from its start: no division per sample.
            var at = (int)(offset % clipSamples.Length);
            for (var filled = 0; filled < FrameSamples; at = 0)
            {
                var run = Math.Min(FrameSamples - filled, clipSamples.Length - at);
                clipSamples.Slice(at, run).CopyTo(samples[filled..]);
                filled += run;
            }
        }
        else
        {
            var left = (int)Math.Clamp(clipSamples.Length - offset, 0, FrameSamples);
            clipSamples.Slice((int)Math.Min(offset, clipSamples.Length), left).CopyTo(samples);
            samples[left..].Clear();
        }
        Span<byte> packet = stackalloc byte[RtpPacket.FixedHeaderSize + codec.PayloadLength(FrameSamples)];
        var length = codec.Encode(samples, packet[RtpPacket.FixedHeaderSize..]);
        // Our own numbering; the session maps it into its continuous outgoing stream.
        new RtpHeader((byte)peer.AudioPayloadType, (ushort)index, (uint)(index * FrameSamples), ssrc, Marker: index == 0).WriteFixedHeader(packet);
        if (session.Send(packet[..(RtpPacket.FixedHeaderSize + length)])) Interlocked.Increment(ref sent);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
