using System.Buffers.Binary;
using Yunke.Media.Rtp;
using Yunke.Media.Srtp;

namespace Yunke.Media.Tests.Srtp;

public sealed class SrtpContextTests : IDisposable
{
    private const uint Ssrc = 0x11223344;
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    private static readonly byte[] Salt = Convert.FromHexString("0102030405060708090A0B0C0D0E");

    private readonly List<SrtpContext> contexts = [];

    public void Dispose() => contexts.ForEach(c => c.Dispose());

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80, 10)]
    [InlineData(SrtpProfile.AesCm128HmacSha1_32, 4)]
    public void Rtp_round_trips_with_the_profiles_tag(SrtpProfile profile, int tag)
    {
        var (sender, receiver) = Pair(profile);
        var plain = Rtp(1000);
        var buffer = Room(plain);

        sender.ProtectRtp(buffer, plain.Length, out var length).ShouldBe(SrtpResult.Ok);

        length.ShouldBe(plain.Length + tag);
        sender.RtpOverhead.ShouldBe(tag);
        buffer.AsSpan(0, 12).ToArray().ShouldBe(plain[..12]);                    // header in clear
        buffer.AsSpan(12, plain.Length - 12).ToArray().ShouldNotBe(plain[12..]);  // payload not
        receiver.UnprotectRtp(buffer.AsSpan(0, length), out var plainLength).ShouldBe(SrtpResult.Ok);
        buffer.AsSpan(0, plainLength).ToArray().ShouldBe(plain);
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AesCm128HmacSha1_32)]
    public void Rtcp_round_trips_with_index_and_80_bit_tag(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var plain = Rtcp();
        var buffer = Room(plain);

        var length = sender.ProtectRtcp(buffer, plain.Length);

        length.ShouldBe(plain.Length + 4 + 10);
        buffer.AsSpan(0, 8).ToArray().ShouldBe(plain[..8]);
        buffer.AsSpan(8, plain.Length - 8).ToArray().ShouldNotBe(plain[8..]);
        receiver.UnprotectRtcp(buffer.AsSpan(0, length), out var plainLength).ShouldBe(SrtpResult.Ok);
        buffer.AsSpan(0, plainLength).ToArray().ShouldBe(plain);
    }

    [Fact]
    public void Csrcs_header_extension_and_padding_stay_in_clear_are_authenticated_and_come_back()
    {
        var (sender, receiver) = Pair();
        var plain = new byte[200];
        var plainLength = new RtpHeader(111, 7, 160, Ssrc).Write(plain, [1, 2, 3, 4, 5, 6, 7], csrcs: [0xAAAAAAAA, 0xBBBBBBBB],
            extensionProfile: 0xBEDE, extensionData: [0x10, 0x7F, 0, 0], padding: 5);
        plain = plain[..plainLength];
        RtpPacket.TryParse(plain, out var parsed).ShouldBeTrue();
        var header = parsed.HeaderLength;   // 12 + 8 CSRC + 4 + 4 extension
        var buffer = Room(plain);

        sender.ProtectRtp(buffer, plain.Length, out var length).ShouldBe(SrtpResult.Ok);

        buffer.AsSpan(0, header).ToArray().ShouldBe(plain[..header]);
        buffer[plain.Length - 1].ShouldNotBe((byte)5);   // the padding count is encrypted with the payload
        var tampered = buffer[..length];
        tampered[header - 2] ^= 0x01;                    // in the header extension
        receiver.UnprotectRtp(tampered, out _).ShouldBe(SrtpResult.AuthenticationFailed);

        receiver.UnprotectRtp(buffer.AsSpan(0, length), out var back).ShouldBe(SrtpResult.Ok);
        buffer.AsSpan(0, back).ToArray().ShouldBe(plain);
        RtpPacket.TryParse(buffer.AsSpan(0, back), out var again).ShouldBeTrue();
        again.PaddingLength.ShouldBe(5);
        again.Payload.ToArray().ShouldBe([1, 2, 3, 4, 5, 6, 7]);
    }

    [Theory]
    [InlineData(0)]     // header
    [InlineData(15)]    // payload
    [InlineData(-1)]    // tag
    public void A_flipped_bit_fails_authentication_and_leaves_the_packet_and_the_window_alone(int at)
    {
        var (sender, receiver) = Pair();
        var packet = Protect(sender, Rtp(42));
        var tampered = packet.ToArray();
        tampered[at < 0 ? tampered.Length + at : at] ^= 0x04;
        var before = tampered.ToArray();

        receiver.UnprotectRtp(tampered, out _).ShouldBe(SrtpResult.AuthenticationFailed);

        tampered.ShouldBe(before);
        receiver.UnprotectRtp(packet, out _).ShouldBe(SrtpResult.Ok);   // the genuine one still passes
    }

    [Fact]
    public void A_flipped_bit_in_srtcp_fails_authentication()
    {
        var (sender, receiver) = Pair();
        var packet = ProtectRtcp(sender, Rtcp());
        packet[10] ^= 0x80;

        receiver.UnprotectRtcp(packet, out _).ShouldBe(SrtpResult.AuthenticationFailed);
    }

    [Fact]
    public void Another_master_key_fails_authentication()
    {
        var sender = Context(SrtpProfile.AesCm128HmacSha1_80, Key);
        var stranger = Context(SrtpProfile.AesCm128HmacSha1_80, Convert.FromHexString("FF112233445566778899AABBCCDDEEFF"));

        stranger.UnprotectRtp(Protect(sender, Rtp(1)), out _).ShouldBe(SrtpResult.AuthenticationFailed);
    }

    [Fact]
    public void A_replayed_packet_is_refused()
    {
        var (sender, receiver) = Pair();
        var packet = Protect(sender, Rtp(500));
        var copy = packet.ToArray();

        receiver.UnprotectRtp(packet, out _).ShouldBe(SrtpResult.Ok);
        receiver.UnprotectRtp(copy, out _).ShouldBe(SrtpResult.Replayed);
    }

    [Fact]
    public void A_packet_behind_the_64_packet_window_is_refused_and_one_inside_it_is_accepted()
    {
        var (sender, receiver) = Pair();
        var packets = Enumerable.Range(0, 100).Select(i => Protect(sender, Rtp((ushort)i))).ToArray();

        receiver.UnprotectRtp(packets[99], out _).ShouldBe(SrtpResult.Ok);

        receiver.UnprotectRtp(packets[35], out _).ShouldBe(SrtpResult.TooOld);   // 64 behind
        receiver.UnprotectRtp(packets[10], out _).ShouldBe(SrtpResult.TooOld);
        receiver.UnprotectRtp(packets[36], out _).ShouldBe(SrtpResult.Ok);       // 63 behind, late but new
        receiver.UnprotectRtp(Protect(Context(), Rtp(36)), out _).ShouldBe(SrtpResult.Replayed);
    }

    [Fact]
    public void Sequence_rollover_moves_the_rollover_counter_on_both_sides()
    {
        var (sender, receiver) = Pair();
        ushort[] sequence = [65534, 65535, 0, 1, 2];
        var packets = sequence.Select(s => Protect(sender, Rtp(s))).ToArray();

        foreach (var (packet, seq) in packets.Zip(sequence))
        {
            var buffer = packet.ToArray();
            receiver.UnprotectRtp(buffer, out var length).ShouldBe(SrtpResult.Ok, $"sequence {seq}");
            buffer.AsSpan(0, length).ToArray().ShouldBe(Rtp(seq));
        }

        // Sequence 0 after the wrap was authenticated with ROC 1: a receiver that never saw the wrap (ROC 0) refuses it.
        Context().UnprotectRtp(packets[2], out _).ShouldBe(SrtpResult.AuthenticationFailed);
        // ... and sent with another keystream than the first sequence 0 of ROC 0 would have.
        packets[2].AsSpan(12, 20).ToArray().ShouldNotBe(Protect(Context(), Rtp(0)).AsSpan(12, 20).ToArray());
    }

    [Fact]
    public void Packets_out_of_order_around_the_rollover_are_accepted_once_each()
    {
        var (sender, receiver) = Pair();
        ushort[] sent = [65532, 65533, 65534, 65535, 0, 1, 2];
        var packets = sent.ToDictionary(s => s, s => Protect(sender, Rtp(s)));

        foreach (ushort seq in new ushort[] { 65532, 0, 65534, 65533, 2, 65535, 1 })
        {
            var buffer = packets[seq].ToArray();
            receiver.UnprotectRtp(buffer, out var length).ShouldBe(SrtpResult.Ok, $"sequence {seq}");
            buffer.AsSpan(0, length).ToArray().ShouldBe(Rtp(seq));
        }
        receiver.UnprotectRtp(packets[65535].ToArray(), out _).ShouldBe(SrtpResult.Replayed);
        receiver.UnprotectRtp(packets[1].ToArray(), out _).ShouldBe(SrtpResult.Replayed);
    }

    [Fact]
    public void The_sender_refuses_to_protect_a_sequence_number_twice()
    {
        var sender = Context();
        Protect(sender, Rtp(9));
        var again = Room(Rtp(9));

        sender.ProtectRtp(again, Rtp(9).Length, out _).ShouldBe(SrtpResult.Replayed);
    }

    [Fact]
    public void Each_ssrc_has_its_own_rollover_counter_and_window()
    {
        var (sender, receiver) = Pair();
        receiver.UnprotectRtp(Protect(sender, Rtp(65535, ssrc: 1)), out _).ShouldBe(SrtpResult.Ok);
        receiver.UnprotectRtp(Protect(sender, Rtp(0, ssrc: 1)), out _).ShouldBe(SrtpResult.Ok);   // ROC 1 for SSRC 1

        receiver.UnprotectRtp(Protect(sender, Rtp(0, ssrc: 2)), out _).ShouldBe(SrtpResult.Ok);   // ROC 0 for SSRC 2
        // 65535 after 0 is ROC -1 for SSRC 2 (its own sender would not even protect it: another sender does)
        receiver.UnprotectRtp(Protect(Context(), Rtp(65535, ssrc: 2)), out _).ShouldBe(SrtpResult.TooOld);
    }

    [Fact]
    public void The_srtcp_index_increments_from_1_with_the_e_bit_set()
    {
        var (sender, receiver) = Pair();

        for (uint expected = 1; expected <= 3; expected++)
        {
            var packet = ProtectRtcp(sender, Rtcp());
            var word = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(packet.Length - 14));
            (word & 0x8000_0000).ShouldBe(0x8000_0000u, "E bit");
            (word & 0x7FFF_FFFF).ShouldBe(expected);
            receiver.UnprotectRtcp(packet, out _).ShouldBe(SrtpResult.Ok);
        }
    }

    [Fact]
    public void Srtcp_replays_and_packets_behind_the_window_are_refused()
    {
        var (sender, receiver) = Pair();
        var packets = Enumerable.Range(0, 70).Select(_ => ProtectRtcp(sender, Rtcp())).ToArray();   // indexes 1..70

        receiver.UnprotectRtcp(packets[69].ToArray(), out _).ShouldBe(SrtpResult.Ok);
        receiver.UnprotectRtcp(packets[69].ToArray(), out _).ShouldBe(SrtpResult.Replayed);
        receiver.UnprotectRtcp(packets[5].ToArray(), out _).ShouldBe(SrtpResult.TooOld);    // index 6: 64 behind 70
        receiver.UnprotectRtcp(packets[6].ToArray(), out _).ShouldBe(SrtpResult.Ok);        // index 7: 63 behind
    }

    [Fact]
    public void Srtcp_sent_authenticated_only_is_accepted_in_clear()
    {
        // E = 0 (RFC 3711 3.4): built by hand, as Yunke always encrypts.
        var receiver = Context();
        var plain = Rtcp();
        var packet = new byte[plain.Length + 14];
        plain.CopyTo(packet, 0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(plain.Length), 5);
        using (var cipher = new SrtpSessionCipher(SrtpSessionKeys.ForRtcp(new SrtpMasterKey(SrtpProfile.AesCm128HmacSha1_80, Key, Salt))))
            cipher.Sign(packet.AsSpan(0, plain.Length + 4), default, packet.AsSpan(plain.Length + 4));

        receiver.UnprotectRtcp(packet, out var length).ShouldBe(SrtpResult.Ok);

        packet.AsSpan(0, length).ToArray().ShouldBe(plain);
    }

    [Fact]
    public void Garbage_from_the_network_gets_a_result_never_an_exception()
    {
        var receiver = Context();
        var random = new Random(3711);
        for (var i = 0; i < 2000; i++)
        {
            var datagram = new byte[random.Next(0, 80)];
            random.NextBytes(datagram);
            if (i % 2 == 0 && datagram.Length > 0) datagram[0] = (byte)(0x80 | datagram[0] & 0x3F);   // version 2, so parsing goes deeper

            receiver.UnprotectRtp(datagram.ToArray(), out _).ShouldNotBe(SrtpResult.Ok);
            receiver.UnprotectRtcp(datagram.ToArray(), out _).ShouldNotBe(SrtpResult.Ok);
        }
        receiver.UnprotectRtp(new byte[12], out _).ShouldBe(SrtpResult.Malformed);
        receiver.UnprotectRtp([0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], out _)
            .ShouldBe(SrtpResult.Malformed);   // 15 CSRCs announced, none there
        receiver.UnprotectRtcp(new byte[21], out _).ShouldBe(SrtpResult.Malformed);
    }

    [Fact]
    public void A_master_key_or_salt_of_the_wrong_length_is_refused()
    {
        Should.Throw<ArgumentException>(() => new SrtpContext(new SrtpMasterKey(SrtpProfile.AesCm128HmacSha1_80, new byte[32], Salt)));
        Should.Throw<ArgumentException>(() => new SrtpContext(new SrtpMasterKey(SrtpProfile.AesCm128HmacSha1_80, Key, new byte[12])));
        Should.Throw<ArgumentException>(() => new SrtpContext(new SrtpMasterKey((SrtpProfile)7, Key, Salt)));
    }

    [Fact]
    public void Protecting_and_unprotecting_allocate_nothing_per_packet()
    {
        var (sender, receiver) = Pair();
        var rtp = Rtp(0);
        var rtcp = Rtcp();
        var buffer = new byte[rtp.Length + 100];
        void RoundTrip(int i)
        {
            rtp.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)i);
            sender.ProtectRtp(buffer, rtp.Length, out var length);
            receiver.UnprotectRtp(buffer.AsSpan(0, length), out _);
            rtcp.CopyTo(buffer, 0);
            length = sender.ProtectRtcp(buffer, rtcp.Length);
            receiver.UnprotectRtcp(buffer.AsSpan(0, length), out _);
        }
        for (var i = 0; i < 100; i++) RoundTrip(i);   // the source's state is made once, JIT warms up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 1100; i++) RoundTrip(i);

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    private SrtpContext Context(SrtpProfile profile = SrtpProfile.AesCm128HmacSha1_80, byte[]? key = null)
    {
        var context = new SrtpContext(new SrtpMasterKey(profile, key ?? Key, Salt));
        contexts.Add(context);
        return context;
    }

    private (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProfile profile = SrtpProfile.AesCm128HmacSha1_80) =>
        (Context(profile), Context(profile));

    /// <summary>An RTP packet whose payload says which sequence number it is, so a mix-up shows.</summary>
    private static byte[] Rtp(ushort sequence, uint ssrc = Ssrc)
    {
        var payload = Enumerable.Range(0, 160).Select(i => (byte)(i ^ sequence ^ sequence >> 8)).ToArray();
        var packet = new byte[12 + payload.Length];
        new RtpHeader(0, sequence, sequence * 160u, ssrc).Write(packet, payload);
        return packet;
    }

    private static byte[] Rtcp() =>
    [
        0x80, 0xC9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44,    // RR, one report block, sender SSRC
        0x55, 0x66, 0x77, 0x88, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x34,
        0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    private static byte[] Room(byte[] packet)
    {
        var buffer = new byte[packet.Length + 32];
        packet.CopyTo(buffer, 0);
        return buffer;
    }

    private static byte[] Protect(SrtpContext sender, byte[] plain)
    {
        var buffer = Room(plain);
        sender.ProtectRtp(buffer, plain.Length, out var length).ShouldBe(SrtpResult.Ok);
        return buffer[..length];
    }

    private static byte[] ProtectRtcp(SrtpContext sender, byte[] plain)
    {
        var buffer = Room(plain);
        return buffer[..sender.ProtectRtcp(buffer, plain.Length)];
    }
}
