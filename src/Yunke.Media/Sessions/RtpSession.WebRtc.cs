using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Media.Srtp;

namespace Yunke.Media.Sessions;

// The WebRTC leg: ICE-lite, DTLS-SRTP and SRTP with RTCP muxed (RFC 5761), all on the RTP socket (RFC 7983 demultiplexing).
// A plain leg pays one null check for this on each datagram and each send.
public sealed partial class RtpSession
{
    private const int MaxSrtpOverhead = 16;     // RTP tag of 10 or 4 bytes, SRTCP's 14
    private volatile WebRtcTransport? webRtc;

    /// <summary>The security of a WebRTC leg; null on a plain RTP leg.</summary>
    public WebRtcTransport? WebRtc => webRtc;

    /// <summary>
    /// Makes this session a browser's leg: before <see cref="SetPeer"/>, once. Put the result's
    /// <see cref="WebRtcTransport.LocalCredentials"/> and <see cref="WebRtcTransport.Fingerprint"/>, <c>a=ice-lite</c>,
    /// <c>a=rtcp-mux</c> and <see cref="IceSdp.HostCandidate"/> of <see cref="LocalEndPoint"/> in our SDP; then give the
    /// peer's SDP as <see cref="RtpPeer.WebRtc"/>. From then on media goes only to the pair ICE selected, RTCP too
    /// (muxed on the RTP port), nothing in clear: sends return false until the DTLS handshake gave the keys.
    /// </summary>
    public WebRtcTransport UseWebRtc(DtlsCertificate certificate, DtlsSrtpOptions? dtlsOptions = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (webRtc is not null || peer is not null) throw new InvalidOperationException("UseWebRtc comes once, before SetPeer.");
        var secure = new WebRtcTransport(certificate, dtlsOptions, time);
        rtpRemote.Reset(null);
        rtcpRemote.Reset(null);
        webRtc = secure;
        return secure;
    }

    // Unlike latching, which trusts the first packet, only where ICE checks come from counts: the browser proved it
    // knows our password there, so nobody else can steer the media (RFC 8445 7.3).
    private void ConnectWebRtc(WebRtcTransport secure, RtpPeer value)
    {
        if (value.WebRtc is not { } browser) throw new ArgumentException("A WebRTC leg's peer needs its ICE credentials and fingerprint (RtpPeer.WebRtc).", nameof(value));
        secure.Connect(browser, datagram =>
        {
            // DTLS goes where media goes, or before a pair is nominated, to where the latest valid check came from.
            if ((rtpRemote.Target ?? secure.LastChecked) is not { } target) return;
            try
            {
                rtpSocket.SendTo(datagram, SocketFlags.None, target);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Loss: DTLS retransmits.
            }
        });
        peer = value;
    }

    private void OnSecureDatagram(WebRtcTransport secure, ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        switch (Demux.Classify(datagram))
        {
            case MuxedPacket.Stun:
                OnStun(secure, datagram, source);
                break;
            case MuxedPacket.Dtls:
                secure.Deliver(datagram, source);
                break;
            case MuxedPacket.Rtp:
                OnSrtp(secure, datagram, source, rtcp: false);
                break;
            case MuxedPacket.Rtcp:
                OnSrtp(secure, datagram, source, rtcp: true);
                break;
            default:
                Interlocked.Increment(ref rejected);
                break;
        }
    }

    private void OnStun(WebRtcTransport secure, ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        // Before the peer's SDP is set we cannot check anything; the browser repeats its checks.
        if (secure.Agent is not { } agent) return;
        Span<byte> response = stackalloc byte[IceLiteAgent.ResponseBufferSize];
        var result = agent.Handle(datagram, ToEndPoint(source), response);
        if (result.Outcome == IceCheckOutcome.Accepted) secure.RememberChecked(source);
        if (result.SelectionChanged)
        {
            // Pinned before the answer leaves, so the browser's first media after it is accepted.
            rtpRemote.Pin(source);
            rtcpRemote.Pin(source);
            if (secure.Peer?.OurRole == DtlsRole.Client) secure.StartHandshake();
        }
        if (result.ResponseLength == 0) return;
        try
        {
            rtpSocket.SendTo(response[..result.ResponseLength], SocketFlags.None, source);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The browser repeats its check.
        }
    }

    [SkipLocalsInit] // the copy overwrites what is read of it
    private void OnSrtp(WebRtcTransport secure, ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp)
    {
        // Before the keys, or from anywhere but the selected pair: dropped before any crypto.
        if (secure.Receiver is not { } receiver || !rtpRemote.Latched || !source.Equals(rtpRemote.Target))
        {
            Interlocked.Increment(ref rejected);
            return;
        }
        // Unprotected in place, so in a copy: the datagram is the receive loop's buffer, read-only to us.
        Span<byte> packet = stackalloc byte[MaxDatagram];
        datagram.CopyTo(packet);
        packet = packet[..datagram.Length];
        var result = rtcp ? receiver.UnprotectRtcp(packet, out var length) : receiver.UnprotectRtp(packet, out length);
        if (result != SrtpResult.Ok)
        {
            secure.CountAuthenticationFailure();
            Interlocked.Increment(ref rejected);
            return;
        }
        if (rtcp) OnRtcp(packet[..length], source);
        else OnRtp(packet[..length], source);
    }

    /// <summary>Protects a rewritten RTP packet and sends it; false before the keys (nothing goes in clear).</summary>
    [SkipLocalsInit]
    private bool SendProtected(WebRtcTransport secure, ReadOnlySpan<byte> packet, SocketAddress target)
    {
        if (secure.Sender is not { } sender || packet.Length > MaxDatagram) return false;
        Span<byte> buffer = stackalloc byte[MaxDatagram + MaxSrtpOverhead];
        packet.CopyTo(buffer);
        if (sender.ProtectRtp(buffer, packet.Length, out var length) != SrtpResult.Ok) return false;
        rtpSocket.SendTo(buffer[..length], SocketFlags.None, target);
        return true;
    }
}
