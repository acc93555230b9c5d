using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>
/// The media side of a phone whose SIP is a sipp scenario: one UDP socket on 127.0.0.1 that the phone's SDP
/// names. It speaks like a symmetric-RTP phone: once audio arrives, it sends its own tone (PCMU, 20 ms
/// packets) back to where the audio came from. Every packet received is decoded and counted by the tone it
/// clearly holds, so a test can tell whose audio reached the phone.
/// </summary>
public sealed class RtpPhone : IAsyncDisposable
{
    private readonly UdpClient socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource<IPEndPoint> peer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<double, int> heard = new();
    private readonly double tone;
    private readonly double[] candidates;
    private readonly Task receiving, sending;
    private int received, sent;

    /// <param name="tone">The frequency this phone sends.</param>
    /// <param name="listenFor">The frequencies to tell apart in what it receives (its own tone is added).</param>
    public RtpPhone(double tone, params double[] listenFor)
    {
        this.tone = tone;
        candidates = [tone, .. listenFor];
        receiving = ReceiveAsync();
        sending = SendAsync();
    }

    public int Port => ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    public int Received => received;
    public int Sent => sent;

    /// <summary>Packets received that held this tone.</summary>
    public int Heard(double frequency) => heard.GetValueOrDefault(frequency);

    private async Task ReceiveAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try { datagram = await socket.ReceiveAsync(stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { continue; } // ICMP unreachable for an earlier send
            var packet = datagram.Buffer;
            if (packet.Length < 12 || packet[0] >> 6 != 2 || (packet[1] & 0x7f) is not (0 or 8)) continue; // RTCP and events
            Interlocked.Increment(ref received);
            peer.TrySetResult(datagram.RemoteEndPoint);
            var payloadStart = 12 + 4 * (packet[0] & 0x0f);
            var pcma = (packet[1] & 0x7f) == 8;
            var samples = packet.AsSpan(payloadStart).ToArray().Select(b => pcma ? Tones.FromALaw(b) : Tones.FromMuLaw(b)).ToArray();
            if (Tones.Dominant(samples, candidates) is { } frequency) heard.AddOrUpdate(frequency, 1, (_, n) => n + 1);
        }
    }

    private async Task SendAsync()
    {
        IPEndPoint to;
        try { to = await peer.Task.WaitAsync(stop.Token); }
        catch (OperationCanceledException) { return; }
        var samples = Tones.Sine(tone, TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        var ssrc = (uint)Random.Shared.Next();
        for (var frame = 0; !stop.IsCancellationRequested; frame++)
        {
            var offset = frame * Tones.FrameSamples % samples.Length;
            var packet = Tones.Rtp(0, (ushort)frame, (uint)(frame * Tones.FrameSamples), ssrc, samples.AsSpan(offset, Tones.FrameSamples));
            try { await socket.SendAsync(packet, to, stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { }
            Interlocked.Increment(ref sent);
            // Paced by the clock, so a late wake-up sends what is due rather than drifting.
            var due = TimeSpan.FromMilliseconds(20 * (frame + 1)) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                try { await Task.Delay(due, stop.Token); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(receiving, sending);
        socket.Dispose();
        stop.Dispose();
    }

    public override string ToString() =>
        $"RTP phone on {Port} sending {tone} Hz: {sent} sent, {received} received ({string.Join(", ", heard.Select(h => $"{h.Key} Hz: {h.Value}"))})";
}
