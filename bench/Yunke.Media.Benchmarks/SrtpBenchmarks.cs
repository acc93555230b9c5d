using BenchmarkDotNet.Attributes;
using Yunke.Media.Rtp;
using Yunke.Media.Srtp;

namespace Yunke.Media.Benchmarks;

/// <summary>
/// SRTP's per-packet cost on a 20 ms G.711 frame (160 bytes), AES_CM_128_HMAC_SHA1_80. Unprotect alone cannot be
/// measured on one packet (the replay window refuses it the second time), so it is the round trip minus Protect.
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private readonly byte[] plain = new byte[172];
    private readonly byte[] buffer = new byte[172 + 10];
    private SrtpContext sender = null!;
    private SrtpContext receiver = null!;
    private SrtpSessionCipher cipher = null!;
    private ushort sequence;

    [GlobalSetup]
    public void Setup()
    {
        var key = new SrtpMasterKey(SrtpProfile.AesCm128HmacSha1_80, [.. Enumerable.Range(1, 16).Select(i => (byte)i)], new byte[14]);
        sender = new SrtpContext(key);
        receiver = new SrtpContext(key);
        cipher = new SrtpSessionCipher(SrtpSessionKeys.ForRtp(key));
        new RtpHeader(0, 0, 0, 0xCAFE).Write(plain, new byte[160]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        sender.Dispose();
        receiver.Dispose();
        cipher.Dispose();
    }

    [Benchmark]
    public int ProtectRtp()
    {
        plain.CopyTo(buffer, 0);
        new RtpHeader(0, sequence++, 0, 0xCAFE).WriteFixedHeader(buffer);
        sender.ProtectRtp(buffer, plain.Length, out var length);
        return length;
    }

    /// <summary>Protect's two parts: the AES-CM keystream over the payload ...</summary>
    [Benchmark]
    public void EncryptPayload() => cipher.Transform(0xCAFE, sequence, buffer.AsSpan(12, 160));

    /// <summary>... and the HMAC-SHA1 tag over the packet and ROC.</summary>
    [Benchmark]
    public void AuthenticatePacket() => cipher.Sign(buffer.AsSpan(0, 172), [0, 0, 0, 0], buffer.AsSpan(172, 10));

    [Benchmark]
    public SrtpResult ProtectAndUnprotectRtp() => receiver.UnprotectRtp(buffer.AsSpan(0, ProtectRtp()), out _);
}
