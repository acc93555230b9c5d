using Yunke.Media.Srtp;

namespace Yunke.Media.Tests.Srtp;

/// <summary>
/// Published answers, byte for byte: RFC 3711 Appendix B.2 and B.3, and libsrtp's reference packets
/// (test/srtp_driver.c, srtp_validate(): test_key, srtp_plaintext_ref → srtp_ciphertext, rtcp_plaintext_ref →
/// srtcp_ciphertext, SSRC 0xCAFEBABE, AES_CM_128_HMAC_SHA1_80).
/// </summary>
public sealed class SrtpKnownAnswerTests
{
    // RFC 3711 B.3 (and libsrtp's test_key: the same 16 + 14 bytes)
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    private static readonly byte[] LibsrtpRtpPlaintext = Convert.FromHexString(
        "800F1234DECAFBADCAFEBABE" + "ABABABABABABABABABABABABABABABAB");
    private static readonly byte[] LibsrtpSrtpCiphertext = Convert.FromHexString(
        "800F1234DECAFBADCAFEBABE" + "4E55DC4CE79978D88CA4D215949D2402" + "B78D6ACC99EA179B8DBB");
    private static readonly byte[] LibsrtpRtcpPlaintext = Convert.FromHexString(
        "81C8000BCAFEBABE" + "ABABABABABABABABABABABABABABABAB");
    private static readonly byte[] LibsrtpSrtcpCiphertext = Convert.FromHexString(
        "81C8000BCAFEBABE" + "7128035BE487B9BDBEF89041F977A5A8" + "80000001" + "993E08CD54D6C1230798");

    [Fact]
    public void Rfc3711_B2_aes_cm_keystream()
    {
        using var aes = new AesCounterMode(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[1_044_512];   // the RFC's segment: 65282 blocks

        aes.Transform(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        Convert.ToHexString(keystream.AsSpan(0, 48)).ShouldBe(
            "E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0");
        Convert.ToHexString(keystream.AsSpan(keystream.Length - 48)).ShouldBe(
            "EC8CDF7398607CB0F2D21675EA9EA1E4" + "362B7C3C6773516318A077D7FC5073AE" + "6A2CC3787889374FBEB4C81B17BA6C44");
    }

    [Fact]
    public void Rfc3711_B2_keystream_through_the_packet_iv_with_ssrc_and_index_zero()
    {
        // The B.2 salt is given already shifted: as a 14-byte session salt it is F0..FD, and with SSRC 0 and index 0
        // the packet IV is exactly the RFC's offset.
        var keys = new SrtpSessionKeys(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"), new byte[20],
            Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"));
        using var cipher = new SrtpSessionCipher(keys);
        var data = new byte[32];

        cipher.Transform(ssrc: 0, index: 0, data);

        Convert.ToHexString(data).ShouldBe("E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB");
    }

    [Fact]
    public void Rfc3711_B3_key_derivation()
    {
        var keys = SrtpSessionKeys.ForRtp(new SrtpMasterKey(SrtpProfile.AesCm128HmacSha1_80, MasterKey, MasterSalt));

        Convert.ToHexString(keys.EncryptionKey).ShouldBe("C61E7A93744F39EE10734AFE3FF7A087");
        Convert.ToHexString(keys.Salt).ShouldBe("30CBBC08863D8C85D49DB34A9AE1");
        Convert.ToHexString(keys.AuthenticationKey).ShouldBe("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");
    }

    [Fact]
    public void Srtcp_keys_use_their_own_labels()
    {
        var master = new SrtpMasterKey(SrtpProfile.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        var rtp = SrtpSessionKeys.ForRtp(master);
        var rtcp = SrtpSessionKeys.ForRtcp(master);

        rtcp.EncryptionKey.ShouldNotBe(rtp.EncryptionKey);
        rtcp.AuthenticationKey.ShouldNotBe(rtp.AuthenticationKey);
        rtcp.Salt.ShouldNotBe(rtp.Salt);
        rtcp.AuthenticationKey.Length.ShouldBe(20);
        rtcp.Salt.Length.ShouldBe(14);
    }

    [Fact]
    public void Libsrtp_reference_packet_is_protected_byte_for_byte()
    {
        using var sender = Context(SrtpProfile.AesCm128HmacSha1_80);
        var buffer = new byte[64];
        LibsrtpRtpPlaintext.CopyTo(buffer, 0);

        sender.ProtectRtp(buffer, LibsrtpRtpPlaintext.Length, out var length).ShouldBe(SrtpResult.Ok);

        Convert.ToHexString(buffer, 0, length).ShouldBe(Convert.ToHexString(LibsrtpSrtpCiphertext));
    }

    [Fact]
    public void Libsrtp_reference_packet_is_unprotected_byte_for_byte()
    {
        using var receiver = Context(SrtpProfile.AesCm128HmacSha1_80);
        var packet = LibsrtpSrtpCiphertext.ToArray();

        receiver.UnprotectRtp(packet, out var length).ShouldBe(SrtpResult.Ok);

        Convert.ToHexString(packet, 0, length).ShouldBe(Convert.ToHexString(LibsrtpRtpPlaintext));
    }

    [Fact]
    public void The_32_bit_profile_encrypts_alike_and_keeps_the_first_4_bytes_of_the_same_hmac()
    {
        // libsrtp's srtp_sha1_32_ciphertext is srtp_ciphertext cut to a 4-byte tag (the HMAC truncated, RFC 3711 5.2).
        using var sender = Context(SrtpProfile.AesCm128HmacSha1_32);
        using var receiver = Context(SrtpProfile.AesCm128HmacSha1_32);
        var buffer = new byte[64];
        LibsrtpRtpPlaintext.CopyTo(buffer, 0);

        sender.ProtectRtp(buffer, LibsrtpRtpPlaintext.Length, out var length).ShouldBe(SrtpResult.Ok);

        length.ShouldBe(LibsrtpRtpPlaintext.Length + 4);
        Convert.ToHexString(buffer, 0, length).ShouldBe(Convert.ToHexString(LibsrtpSrtpCiphertext, 0, length));
        receiver.UnprotectRtp(buffer.AsSpan(0, length), out var plain).ShouldBe(SrtpResult.Ok);
        Convert.ToHexString(buffer, 0, plain).ShouldBe(Convert.ToHexString(LibsrtpRtpPlaintext));
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AesCm128HmacSha1_32)]   // SRTCP keeps the 80-bit tag (RFC 5764 4.1.2)
    public void Libsrtp_reference_rtcp_packet_is_protected_byte_for_byte(SrtpProfile profile)
    {
        using var sender = Context(profile);
        var buffer = new byte[64];
        LibsrtpRtcpPlaintext.CopyTo(buffer, 0);

        var length = sender.ProtectRtcp(buffer, LibsrtpRtcpPlaintext.Length);

        Convert.ToHexString(buffer, 0, length).ShouldBe(Convert.ToHexString(LibsrtpSrtcpCiphertext));
    }

    [Fact]
    public void Libsrtp_reference_rtcp_packet_is_unprotected_byte_for_byte()
    {
        using var receiver = Context(SrtpProfile.AesCm128HmacSha1_80);
        var packet = LibsrtpSrtcpCiphertext.ToArray();

        receiver.UnprotectRtcp(packet, out var length).ShouldBe(SrtpResult.Ok);

        Convert.ToHexString(packet, 0, length).ShouldBe(Convert.ToHexString(LibsrtpRtcpPlaintext));
    }

    private static SrtpContext Context(SrtpProfile profile) => new(new SrtpMasterKey(profile, MasterKey, MasterSalt));
}
