using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Yunke.Media.Codecs;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;

namespace Yunke.Media.Benchmarks;

/// <summary>
/// Relaying one received packet to the other leg: payload type mapping, transcoding, renumbering into the
/// leg's stream and the real UDP send on loopback (the receive is not included: that is the kernel's and
/// the load test's part).
/// </summary>
[MemoryDiagnoser]
public class RelayBenchmarks
{
    private readonly byte[] packet = new byte[172];
    private Socket sink = null!;
    private RtpSession legA = null!, legB = null!, legC = null!;
    private RtpRelay sameCodec = null!, transcoding = null!;
    private ushort sequence;

    [GlobalSetup]
    public void Setup()
    {
        // A socket that receives nothing we read: the kernel drops what overflows it, as a slow phone would.
        sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = (IPEndPoint)sink.LocalEndPoint!;
        var allocator = new RtpPortAllocator(IPAddress.Loopback, 47000, 47099);
        var options = new RtpSessionOptions { RtcpInterval = null };
        legA = allocator.Open(options);
        legB = allocator.Open(options);
        legC = allocator.Open(options);
        legA.SetPeer(new RtpPeer(target, new CodecRegistry().With(0, "PCMU"), 0));
        legB.SetPeer(new RtpPeer(target, new CodecRegistry().With(0, "PCMU"), 0));
        legC.SetPeer(new RtpPeer(target, new CodecRegistry().With(8, "PCMA"), 8));
        sameCodec = new RtpRelay(legA, legB);
        transcoding = new RtpRelay(legA, legC);
        sameCodec.Dispose(); // not subscribed: the benchmark calls the relay directly
        transcoding.Dispose();
        new RtpHeader(0, 0, 0, 0xCAFE).Write(packet, new byte[160]);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await legA.DisposeAsync();
        await legB.DisposeAsync();
        await legC.DisposeAsync();
        sink.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool RelayPcmuToPcmu() => Relay(sameCodec, legB);

    [Benchmark]
    public bool RelayPcmuToPcma() => Relay(transcoding, legC);

    private bool Relay(RtpRelay relay, RtpSession to)
    {
        var s = sequence++;
        packet[2] = (byte)(s >> 8);
        packet[3] = (byte)s;
        RtpPacket.TryParse(packet, out var p);
        return relay.TryForward(legA, p, to);
    }
}
