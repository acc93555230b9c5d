using System.Net;
using System.Net.Sockets;
using Yunke.Media.Audio;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;

namespace Yunke.Media.Tests.Sessions;

/// <summary>
/// A relayed call on loopback: a caller phone (PCMU, telephone-event 101) → leg A ⇄ relay ⇄ leg B →
/// an agent phone (PCMA only, telephone-event 96), each phone a plain UDP socket sending real packets;
/// the legs received by a poller (Linux) or by async loops.
/// </summary>
public abstract class RtpRelayTests(UdpPoller? poller, int firstPort) : IAsyncLifetime
{
    private readonly RtpPortAllocator allocator = new(IPAddress.Loopback, firstPort, firstPort + 99) { Poller = poller };
    private readonly UdpPeer caller = new();
    private readonly UdpPeer agent = new();
    private RtpSession legA = null!, legB = null!;
    private RtpRelay relay = null!;

    private static readonly CodecRegistry CallerCodecs = new CodecRegistry().With(0, "PCMU").With(101, "telephone-event");
    private static readonly CodecRegistry AgentCodecs = new CodecRegistry().With(8, "PCMA").With(96, "telephone-event");

    public Task InitializeAsync()
    {
        var options = new RtpSessionOptions { RtcpInterval = null };
        legA = allocator.Open(options);
        legB = allocator.Open(options);
        // The caller's SDP names a port it does not send from (a NAT): latching must find it.
        legA.SetPeer(new RtpPeer(new IPEndPoint(IPAddress.Loopback, 9), CallerCodecs, 0));
        legB.SetPeer(new RtpPeer(agent.EndPoint, AgentCodecs, 8));
        relay = new RtpRelay(legA, legB);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        relay.Dispose();
        await legA.DisposeAsync();
        await legB.DisposeAsync();
        caller.Dispose();
        agent.Dispose();
    }

    private static byte[] Packet(byte payloadType, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, bool marker = false)
    {
        var bytes = new byte[12 + payload.Length];
        new RtpHeader(payloadType, sequence, timestamp, ssrc, marker).Write(bytes, payload);
        return bytes;
    }

    private static byte[] Speech(int frame) => Enumerable.Range(0, 160).Select(i => (byte)(frame * 7 + i)).ToArray();

    private static List<(ushort Sequence, uint Timestamp, uint Ssrc, byte PayloadType, bool Marker, byte[] Payload)> Read(List<UdpReceiveResult> datagrams) =>
        datagrams.Select(d =>
        {
            RtpPacket.TryParse(d.Buffer, out var p).ShouldBeTrue();
            return (p.SequenceNumber, p.Timestamp, p.Ssrc, p.PayloadType, p.Marker, p.Payload.ToArray());
        }).ToList();

    [Fact]
    public async Task Audio_flows_both_ways_transcoded_and_renumbered()
    {
        // Caller → agent: 50 PCMU frames, the agent hears PCMA.
        for (var i = 0; i < 50; i++) caller.Send(Packet(0, (ushort)(1000 + i), (uint)(i * 160), 0xCA11E5, Speech(i), marker: i == 0), legA.LocalEndPoint);
        var toAgent = Read(await agent.ReceiveManyAsync(50));

        toAgent.Count.ShouldBe(50);
        for (var i = 0; i < 50; i++)
        {
            var expected = new byte[160];
            G711.MuLawToALaw(Speech(i), expected);
            toAgent[i].PayloadType.ShouldBe((byte)8);
            toAgent[i].Payload.ShouldBe(expected);
            toAgent[i].Ssrc.ShouldBe(legB.Outgoing.Ssrc);
            toAgent[i].Sequence.ShouldBe((ushort)(toAgent[0].Sequence + i));
            toAgent[i].Timestamp.ShouldBe(toAgent[0].Timestamp + (uint)(i * 160));
        }
        toAgent[0].Marker.ShouldBeTrue();
        legA.IsLatched.ShouldBeTrue();
        legA.RemoteEndPoint.ShouldBe(caller.EndPoint);

        // Agent → caller: 30 PCMA frames, the caller hears PCMU at the address it really sends from.
        for (var i = 0; i < 30; i++) agent.Send(Packet(8, (ushort)(60000 + i), (uint)(i * 160), 0xA6E47, Speech(i)), legB.LocalEndPoint);
        var toCaller = Read(await caller.ReceiveManyAsync(30));

        toCaller.Count.ShouldBe(30);
        for (var i = 0; i < 30; i++)
        {
            var expected = new byte[160];
            G711.ALawToMuLaw(Speech(i), expected);
            toCaller[i].PayloadType.ShouldBe((byte)0);
            toCaller[i].Payload.ShouldBe(expected);
            toCaller[i].Ssrc.ShouldBe(legA.Outgoing.Ssrc);
            toCaller[i].Sequence.ShouldBe((ushort)(toCaller[0].Sequence + i)); // across the 16-bit wrap of the input
        }

        // The relay counts a packet after its send returns, which may be after the phone read it.
        for (var i = 0; i < 100 && relay.Forwarded < 80; i++) await Task.Delay(10);
        relay.Forwarded.ShouldBe(80);
        relay.Transcoded.ShouldBe(80);
        legA.Counters.PacketsReceived.ShouldBe(50);
        legA.Counters.PacketsSent.ShouldBe(30);
        legB.Counters.PacketsReceived.ShouldBe(30);
        legB.Counters.PacketsSent.ShouldBe(50);
    }

    [Fact]
    public async Task Telephone_events_pass_with_the_other_legs_payload_type()
    {
        var buffer = new byte[4];
        new TelephoneEvent(TelephoneEvent.FromDigit('5'), End: true, Volume: 10, Duration: 800).Write(buffer);
        caller.Send(Packet(101, 7, 3200, 0xCA11E5, buffer, marker: true), legA.LocalEndPoint);

        var received = Read(await agent.ReceiveManyAsync(1)).ShouldHaveSingleItem();

        received.PayloadType.ShouldBe((byte)96);
        TelephoneEvent.TryParse(received.Payload, out var e).ShouldBeTrue();
        e.Digit.ShouldBe('5');
        e.End.ShouldBeTrue();
        e.Duration.ShouldBe((ushort)800);
    }

    [Fact]
    public async Task A_new_caller_source_after_a_reinvite_continues_the_agents_stream()
    {
        for (var i = 0; i < 10; i++) caller.Send(Packet(0, (ushort)(100 + i), (uint)(i * 160), 1, Speech(i)), legA.LocalEndPoint);
        var before = Read(await agent.ReceiveManyAsync(10));

        // The caller re-INVITEs to another media address with a new SSRC and numbering.
        using var moved = new UdpPeer();
        legA.SetPeer(new RtpPeer(moved.EndPoint, CallerCodecs, 0));
        for (var i = 0; i < 10; i++) moved.Send(Packet(0, (ushort)(9000 + i), (uint)(777_000 + i * 160), 2, Speech(i)), legA.LocalEndPoint);
        var after = Read(await agent.ReceiveManyAsync(10));

        after.Count.ShouldBe(10);
        after.ShouldAllBe(p => p.Ssrc == before[0].Ssrc);
        after[0].Sequence.ShouldBe((ushort)(before[9].Sequence + 1));
        after[0].Marker.ShouldBeTrue();
        // Later than the last frame before, by about the time that passed (a few ms here), not by the new source's 777,000.
        var step = after[0].Timestamp - before[9].Timestamp;
        step.ShouldBeInRange(1u, 8000u * 5);
        after[9].Timestamp.ShouldBe(after[0].Timestamp + 9 * 160);

        // Now the agent's replies go to where the moved caller sends from.
        agent.Send(Packet(8, 1, 0, 3, Speech(0)), legB.LocalEndPoint);
        (await moved.ReceiveAsync()).ShouldNotBeNull();
    }

    [Fact]
    public async Task Held_direction_and_unknown_payload_types_are_not_forwarded()
    {
        relay.ForwardAToB = false;
        caller.Send(Packet(0, 1, 0, 1, Speech(0)), legA.LocalEndPoint);
        for (var i = 0; i < 1000 && legA.Counters.PacketsReceived == 0; i++) await Task.Delay(10); // received while held
        relay.ForwardAToB = true;
        caller.Send(Packet(18, 2, 160, 1, new byte[20]), legA.LocalEndPoint); // G.729: not negotiated
        caller.Send(Packet(0, 3, 320, 1, Speech(3)), legA.LocalEndPoint);

        var received = Read(await agent.ReceiveManyAsync(1)).ShouldHaveSingleItem();
        received.Payload[0].ShouldBe(G711.MuLawToALaw(Speech(3)[0]));
        (await agent.NothingMoreAsync()).ShouldBeTrue();
        relay.Dropped.ShouldBe(1);
    }

    [Fact]
    public async Task A_recorder_on_both_legs_holds_both_voices_in_one_wav()
    {
        var path = Path.Combine(Path.GetTempPath(), $"yunke-recording-{Guid.NewGuid():N}.wav");
        try
        {
            var recorder = CallRecorder.Create(path);
            recorder.Attach(legA);
            recorder.Attach(legB);
            var callerVoice = AudioClip.Tone([600], TimeSpan.FromSeconds(1));
            var agentVoice = AudioClip.Tone([1400], TimeSpan.FromSeconds(1));
            var frame = new byte[160];
            // The caller first, so leg A has latched before the agent's audio comes back to it.
            for (var i = 0; i < 50; i++)
            {
                G711.EncodeMuLaw(callerVoice.Samples.AsSpan(i * 160, 160), frame);
                caller.Send(Packet(0, (ushort)i, (uint)(i * 160), 1, frame), legA.LocalEndPoint);
            }
            (await agent.ReceiveManyAsync(50)).Count.ShouldBe(50);
            for (var i = 0; i < 50; i++)
            {
                G711.EncodeALaw(agentVoice.Samples.AsSpan(i * 160, 160), frame);
                agent.Send(Packet(8, (ushort)(40 + i), (uint)(9000 + i * 160), 2, frame), legB.LocalEndPoint);
            }
            (await caller.ReceiveManyAsync(50)).Count.ShouldBe(50);
            recorder.Dispose();

            var wav = WavFile.Read(path);
            wav.SampleRate.ShouldBe(8000);
            wav.Duration.TotalSeconds.ShouldBeGreaterThanOrEqualTo(1);
            // Each voice sits on the timeline where it arrived: together on a quiet machine, one after the other when
            // the agent's burst came late. So each is looked for in the 0.2 s window where it is loudest.
            double Loudest(double frequency)
            {
                var loudest = 0.0;
                for (var at = 0; at + 1600 <= wav.Samples.Length; at += 400)
                    loudest = Math.Max(loudest, TestAudio.Power(wav.Samples.AsSpan(at, 1600), frequency));
                return loudest;
            }
            Loudest(600).ShouldBeGreaterThan(1e6, "the caller's voice");
            Loudest(1400).ShouldBeGreaterThan(1e6, "the agent's voice");
            Loudest(1000).ShouldBeLessThan(Loudest(600) / 100, "nothing else");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Keys_pressed_on_the_caller_phone_are_reported_once_each()
    {
        using var dtmf = new DtmfReceiver(legA);
        var digits = new List<(char Digit, TimeSpan Held)>();
        dtmf.DigitReceived += (d, held) => { lock (digits) digits.Add((d, held)); };
        var payload = new byte[4];
        ushort sequence = 1;
        void Event(char key, uint timestamp, ushort duration, bool end)
        {
            new TelephoneEvent(TelephoneEvent.FromDigit(key), end, 10, duration).Write(payload);
            caller.Send(Packet(101, sequence++, timestamp, 1, payload, marker: duration == 160), legA.LocalEndPoint);
        }

        // '1' held 100 ms with its end packet sent three times; '#' whose end packets are all lost; then '2'.
        foreach (var d in new ushort[] { 160, 320, 480, 640 }) Event('1', 8000, d, end: false);
        for (var i = 0; i < 3; i++) Event('1', 8000, 800, end: true);
        foreach (var d in new ushort[] { 160, 320, 480 }) Event('#', 16000, d, end: false);
        Event('2', 24000, 160, end: false);
        for (var i = 0; i < 3; i++) Event('2', 24000, 400, end: true);

        int Count() { lock (digits) return digits.Count; }
        for (var i = 0; i < 1000 && (Count() < 3 || legA.Counters.PacketsReceived < 14); i++) await Task.Delay(10);
        await Task.Delay(50); // the last packet's handler runs just after it is counted
        lock (digits)
        {
            digits.Select(d => d.Digit).ShouldBe(['1', '#', '2']);
            digits[0].Held.ShouldBe(TimeSpan.FromMilliseconds(100));
            digits[1].Held.ShouldBe(TimeSpan.FromMilliseconds(60));
            digits[2].Held.ShouldBe(TimeSpan.FromMilliseconds(50));
        }
    }
}

public sealed class RtpRelayTestsOnPoller() : RtpRelayTests(UdpPoller.Shared, 41200);

public sealed class RtpRelayTestsOnAsyncLoops() : RtpRelayTests(null, 41500);
