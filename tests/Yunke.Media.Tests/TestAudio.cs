using System.Net;
using System.Net.Sockets;

namespace Yunke.Media.Tests;

internal static class TestAudio
{
    /// <summary>The power of one frequency in a block of samples (Goertzel), normalised by the block length.</summary>
    public static double Power(ReadOnlySpan<short> samples, double frequency, int sampleRate = 8000)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / samples.Length / samples.Length;
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty) return 0;
        double sum = 0;
        foreach (var x in samples) sum += (double)x * x;
        return Math.Sqrt(sum / samples.Length);
    }
}

/// <summary>A plain UDP socket on loopback standing for a phone.</summary>
internal sealed class UdpPeer : IDisposable
{
    private readonly UdpClient client;

    public UdpPeer(IPAddress? address = null) => client = new UdpClient(new IPEndPoint(address ?? IPAddress.Loopback, 0));

    public IPEndPoint EndPoint => (IPEndPoint)client.Client.LocalEndPoint!;

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint to) => client.Send(datagram, to);

    /// <summary>The next datagram, or null after the timeout (generous: the machine may be busy).</summary>
    public async Task<UdpReceiveResult?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await client.ReceiveAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<List<UdpReceiveResult>> ReceiveManyAsync(int count, TimeSpan? timeout = null)
    {
        var list = new List<UdpReceiveResult>();
        while (list.Count < count && await ReceiveAsync(timeout) is { } r) list.Add(r);
        return list;
    }

    /// <summary>Whether anything more arrives within a short wait (for "nothing else was sent").</summary>
    public async Task<bool> NothingMoreAsync() => await ReceiveAsync(TimeSpan.FromMilliseconds(300)) is null;

    public void Dispose() => client.Dispose();
}
