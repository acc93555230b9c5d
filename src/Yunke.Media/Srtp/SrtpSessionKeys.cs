namespace Yunke.Media.Srtp;

/// <summary>
/// The keys one of SRTP or SRTCP uses, derived from the master key and salt (RFC 3711 4.3) with a key derivation
/// rate of 0: derived once, as DTLS-SRTP (RFC 5764) and browsers always have it.
/// </summary>
internal sealed record SrtpSessionKeys(byte[] EncryptionKey, byte[] AuthenticationKey, byte[] Salt)
{
    public const int EncryptionKeyLength = 16;
    public const int AuthenticationKeyLength = 20;
    public const int SaltLength = 14;

    // Labels of RFC 3711 4.3.1 (SRTP) and 4.3.2 (SRTCP).
    private const byte RtpEncryption = 0, RtpAuthentication = 1, RtpSalt = 2;
    private const byte RtcpEncryption = 3, RtcpAuthentication = 4, RtcpSalt = 5;

    public static SrtpSessionKeys ForRtp(SrtpMasterKey master) => Derive(master, RtpEncryption, RtpAuthentication, RtpSalt);
    public static SrtpSessionKeys ForRtcp(SrtpMasterKey master) => Derive(master, RtcpEncryption, RtcpAuthentication, RtcpSalt);

    private static SrtpSessionKeys Derive(SrtpMasterKey master, byte encryption, byte authentication, byte salt)
    {
        using var prf = new AesCounterMode(master.Key);
        return new(Derive(prf, master.Salt, encryption, EncryptionKeyLength),
            Derive(prf, master.Salt, authentication, AuthenticationKeyLength),
            Derive(prf, master.Salt, salt, SaltLength));
    }

    /// <summary>
    /// The PRF's output for one label: AES-CM under the master key from IV = (master salt XOR key_id) * 2^16, where
    /// key_id = label || r and r = index DIV kdr is 0 (48 bits) with rate 0, so the label lands on byte 7 of the salt.
    /// </summary>
    private static byte[] Derive(AesCounterMode prf, byte[] masterSalt, byte label, int length)
    {
        Span<byte> iv = stackalloc byte[16];
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        var output = new byte[length];
        prf.Transform(iv, output);
        return output;
    }
}
