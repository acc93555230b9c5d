namespace Yunke.Media.Srtp;

/// <summary>What became of a packet given to <see cref="SrtpContext"/> to unprotect; only <see cref="Ok"/> leaves it decrypted.</summary>
public enum SrtpResult
{
    Ok,
    /// <summary>Too short, not RTP/RTCP version 2, or a header longer than the packet.</summary>
    Malformed,
    /// <summary>The tag does not match: tampered, another key, or a rollover counter guessed wrong.</summary>
    AuthenticationFailed,
    /// <summary>This packet index was accepted already (RFC 3711 3.3.2).</summary>
    Replayed,
    /// <summary>Behind the 64-packet replay window: whether it was seen cannot be told any more, so it is refused.</summary>
    TooOld,
}
