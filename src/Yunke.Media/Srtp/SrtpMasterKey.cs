namespace Yunke.Media.Srtp;

/// <summary>The SRTP protection profiles Yunke speaks, by their DTLS-SRTP ids (RFC 5764 4.1.2), the ones browsers offer.</summary>
public enum SrtpProfile : ushort
{
    AesCm128HmacSha1_80 = 0x0001,
    AesCm128HmacSha1_32 = 0x0002,
}

/// <summary>
/// One direction's master key and salt (RFC 3711 8.2), from the DTLS-SRTP key export (RFC 5764 4.2) or from SDES:
/// 16 bytes of key and 14 of salt for both profiles.
/// </summary>
public sealed record SrtpMasterKey(SrtpProfile Profile, byte[] Key, byte[] Salt);
