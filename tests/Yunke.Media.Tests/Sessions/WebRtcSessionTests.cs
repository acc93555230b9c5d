using System.Net;
using System.Net.Sockets;
using Yunke.Media.Codecs;
using Yunke.Media.Dtls;
using Yunke.Media.Ice;
using Yunke.Media.Rtp;
using Yunke.Media.Sessions;
using Yunke.Media.Srtp;

namespace Yunke.Media.Tests.Sessions;

/// <summary>
/// A browser's leg over loopback UDP: the browser (<see cref="WebRtcBrowser"/>) checks, shakes hands and sends SRTP to
/// the session's one RTP port; the leg is relayed to a plain RTP leg and a phone that speaks in clear. The legs are
/// received by a poller (Linux) or by async loops.
/// </summary>
public abstract class WebRtcSessionTests(UdpPoller? poller, int firstPort) : IAsyncLifetime
{
    private static readonly CodecRegistry BrowserCodecs = new CodecRegistry().With(0, "PCMU").With(101, "telephone-event");
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private readonly RtpPortAllocator allocator = new(IPAddress.Loopback, firstPort, firstPort + 99) { Poller = poller };
    private readonly UdpPeer phone = new();
    private readonly List<IAsyncDisposable> disposables = [];
    private RtpSession leg = null!, phoneLeg = null!;
    private WebRtcTransport secure = null!;

    public Task InitializeAsync() => OpenAsync(new RtpSessionOptions { RtcpInterval = null });

    private Task OpenAsync(RtpSessionOptions options)
    {
        leg = allocator.Open(options);
        phoneLeg = allocator.Open(new RtpSessionOptions { RtcpInterval = null });
        disposables.Add(leg);
        disposables.Add(phoneLeg);
        phoneLeg.SetPeer(new RtpPeer(phone.EndPoint, new CodecRegistry().With(0, "PCMU"), 0));
        secure = leg.UseWebRtc(DtlsCertificate.Shared);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in disposables) await disposable.DisposeAsync();
        phone.Dispose();
    }

    private async Task<WebRtcBrowser> BrowserAsync(DtlsCertificate? presents = null, DtlsFingerprint? claimed = null)
    {
        var browser = new WebRtcBrowser(leg.LocalEndPoint, secure.LocalCredentials, presents);
        disposables.Insert(0, browser);
        leg.SetPeer(new RtpPeer(null, BrowserCodecs, 0) { WebRtc = browser.Sdp(claimed) });
        (await browser.CheckAsync()).ShouldBeTrue();
        secure.SelectedRemote.ShouldBe(browser.EndPoint);
        return browser;
    }

    private async Task<WebRtcBrowser> ConnectedBrowserAsync()
    {
        var browser = await BrowserAsync();
        var keys = await browser.HandshakeAsync(secure.Fingerprint);
        await secure.Secured.WaitAsync(Within);
        keys.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_80);
        return browser;
    }

    private static byte[] Speech(int frame) => Enumerable.Range(0, 160).Select(i => (byte)(frame * 11 + i)).ToArray();

    private static byte[] Packet(ushort sequence, uint timestamp, byte[] payload)
    {
        var bytes = new byte[RtpPacket.FixedHeaderSize + payload.Length];
        new RtpHeader(0, sequence, timestamp, 0x9404E, false).Write(bytes, payload);
        return bytes;
    }

    /// <summary>Collects the payloads of what the session hands on, until <paramref name="count"/> came.</summary>
    private sealed class Received
    {
        private readonly List<byte[]> payloads = [];
        private readonly TaskCompletionSource enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly int count;

        public Received(RtpSession session, int count)
        {
            this.count = count;
            session.PacketReceived += (_, packet) =>
            {
                lock (payloads)
                {
                    payloads.Add(packet.Payload.ToArray());
                    if (payloads.Count >= this.count) enough.TrySetResult();
                }
            };
        }

        public List<byte[]> Payloads
        {
            get
            {
                lock (payloads) return [.. payloads];
            }
        }

        public async Task<List<byte[]>> WaitAsync()
        {
            await Task.WhenAny(enough.Task, Task.Delay(Within));
            return Payloads;
        }
    }

    [Fact]
    public async Task Browser_audio_is_decrypted_relayed_to_a_plain_phone_in_clear_and_the_phones_reaches_the_browser_as_srtp()
    {
        var browser = await ConnectedBrowserAsync();
        var atLeg = new Received(leg, 20);
        using var relay = new RtpRelay(leg, phoneLeg);

        for (var i = 0; i < 20; i++) browser.Send(browser.Protect((ushort)(500 + i), (uint)(i * 160), Speech(i)));

        (await atLeg.WaitAsync()).ShouldBe(Enumerable.Range(0, 20).Select(Speech).ToList());
        var atPhone = await phone.ReceiveManyAsync(20);
        atPhone.Count.ShouldBe(20);
        for (var i = 0; i < 20; i++)
        {
            RtpPacket.TryParse(atPhone[i].Buffer, out var clear).ShouldBeTrue();
            clear.Payload.ToArray().ShouldBe(Speech(i));
        }

        for (var i = 0; i < 20; i++) phone.Send(Packet((ushort)(7000 + i), (uint)(i * 160), Speech(100 + i)), phoneLeg.LocalEndPoint);
        var atBrowser = await browser.ReceiveRtpAsync(20);
        atBrowser.Count.ShouldBe(20);
        for (var i = 0; i < 20; i++)
        {
            RtpPacket.TryParse(atBrowser[i], out var decrypted).ShouldBeTrue();
            decrypted.Payload.ToArray().ShouldBe(Speech(100 + i));
            decrypted.Ssrc.ShouldBe(leg.Outgoing.Ssrc);
        }
        leg.Counters.PacketsReceived.ShouldBe(20);
        await WaitUntilAsync(() => leg.Counters.PacketsSent >= 20); // counted by the relay's thread just after its send
        leg.Counters.PacketsSent.ShouldBe(20);
        secure.ConsentExpired.ShouldBeFalse();
    }

    [Fact]
    public async Task Nothing_reaches_the_browser_in_clear_even_what_the_phone_says_before_the_keys()
    {
        var browser = await BrowserAsync();
        using var relay = new RtpRelay(leg, phoneLeg);
        // Before the handshake: the relay tries to send the phone's audio to the browser, which must get none of it.
        for (var i = 0; i < 10; i++) phone.Send(Packet((ushort)(100 + i), (uint)(i * 160), Speech(i)), phoneLeg.LocalEndPoint);
        await WaitUntilAsync(() => relay.Dropped == 10);     // the relay tried, the WebRTC leg refused to send
        leg.Counters.PacketsSent.ShouldBe(0);
        leg.Send(Packet(1, 0, Speech(0))).ShouldBeFalse();

        await browser.HandshakeAsync(secure.Fingerprint);
        await secure.Secured.WaitAsync(Within);
        for (var i = 10; i < 30; i++) phone.Send(Packet((ushort)(100 + i), (uint)(i * 160), Speech(i)), phoneLeg.LocalEndPoint);
        (await browser.ReceiveRtpAsync(20)).Count.ShouldBe(20);
        await Task.Delay(200);

        browser.Drain().ShouldBe(0);               // nothing more than the 20 came
        browser.Unauthenticated.ShouldBe(0);
        browser.Unknown.ShouldBe(0);
    }

    [Fact]
    public async Task Srtp_from_a_source_that_did_no_check_and_tampered_packets_are_dropped_and_counted()
    {
        var browser = await ConnectedBrowserAsync();
        var atLeg = new Received(leg, 2);

        // An intruder who even has the browser's key: it never passed an ICE check, so it is not heard.
        using var intruder = new UdpPeer();
        using var stolenKey = new SrtpContext(browser.Keys!.Local);
        intruder.Send(browser.Protect(1, 0, Speech(1), with: stolenKey), leg.LocalEndPoint);
        // The browser's own packet with one bit flipped in its payload: the tag no longer matches.
        var tampered = browser.Protect(2, 160, Speech(2));
        tampered[RtpPacket.FixedHeaderSize + 5] ^= 0x10;
        browser.Send(tampered);
        // Then good ones, which do arrive: the drops above were not for some other reason.
        browser.Send(browser.Protect(3, 320, Speech(3)));
        browser.Send(browser.Protect(4, 480, Speech(4)));

        (await atLeg.WaitAsync()).ShouldBe([Speech(3), Speech(4)]);
        await WaitUntilAsync(() => leg.Counters.Rejected >= 2);
        leg.Counters.Rejected.ShouldBe(2);
        secure.AuthenticationFailures.ShouldBe(1);
        leg.Counters.PacketsReceived.ShouldBe(2);
    }

    [Fact]
    public async Task A_stranger_cannot_move_the_media_and_garbage_is_dropped()
    {
        var browser = await ConnectedBrowserAsync();
        // Someone who read our SDP but not the browser's: a check with our ufrag but the wrong password gets 401.
        await using var stranger = new WebRtcBrowser(leg.LocalEndPoint, secure.LocalCredentials with { Password = IceCredentials.Generate().Password });
        (await stranger.CheckAsync()).ShouldBeFalse();
        secure.SelectedRemote.ShouldBe(browser.EndPoint);
        using var noise = new UdpPeer();
        noise.Send([100, 1, 2, 3], leg.LocalEndPoint);
        noise.Send([22, 254, 253, 0, 0], leg.LocalEndPoint);  // not DTLS from a checked source
        await WaitUntilAsync(() => leg.Counters.Rejected == 1);

        var atLeg = new Received(leg, 1);
        browser.Send(browser.Protect(1, 0, Speech(1)));
        (await atLeg.WaitAsync()).ShouldBe([Speech(1)]);
    }

    [Fact]
    public async Task A_browser_whose_certificate_is_not_its_fingerprint_fails_the_call_and_gets_no_media()
    {
        var impostor = DtlsCertificate.Create("impostor");
        var browser = await BrowserAsync(presents: impostor, claimed: DtlsCertificate.Create("the real browser").Fingerprint);
        using var relay = new RtpRelay(leg, phoneLeg);

        await Should.ThrowAsync<Exception>(() => browser.HandshakeAsync(secure.Fingerprint));
        await Should.ThrowAsync<DtlsSrtpException>(() => secure.Secured.WaitAsync(Within));
        secure.Failure.ShouldBeOfType<DtlsSrtpException>().Failure.ShouldBe(DtlsSrtpFailure.FingerprintMismatch);
        secure.IsSecured.ShouldBeFalse();

        for (var i = 0; i < 10; i++) phone.Send(Packet((ushort)(100 + i), (uint)(i * 160), Speech(i)), phoneLeg.LocalEndPoint);
        await WaitUntilAsync(() => relay.Dropped == 10);     // the relay tried, the WebRTC leg refused to send
        (await browser.ReceiveRtpAsync(1, TimeSpan.FromMilliseconds(300))).ShouldBeEmpty();
        leg.Counters.PacketsSent.ShouldBe(0);
        browser.Unauthenticated.ShouldBe(0);
    }

    [Fact]
    public async Task As_dtls_client_the_session_starts_the_handshake_once_ice_selected_where_to_send_it()
    {
        var browser = new WebRtcBrowser(leg.LocalEndPoint, secure.LocalCredentials);
        disposables.Insert(0, browser);
        leg.SetPeer(new RtpPeer(null, BrowserCodecs, 0) { WebRtc = browser.Sdp() with { OurRole = DtlsRole.Client } }); // we answered a=setup:active
        var handshake = browser.HandshakeAsync(secure.Fingerprint, DtlsRole.Server);
        await Task.Delay(200);
        handshake.IsCompleted.ShouldBeFalse();     // no ClientHello yet: nowhere to send it before a check

        (await browser.CheckAsync()).ShouldBeTrue();
        await handshake.WaitAsync(Within);
        await secure.Secured.WaitAsync(Within);

        var atLeg = new Received(leg, 1);
        browser.Send(browser.Protect(1, 0, Speech(1)));
        (await atLeg.WaitAsync()).ShouldBe([Speech(1)]);
        leg.Send(Packet(9, 0, Speech(2))).ShouldBeTrue();
        var atBrowser = await browser.ReceiveRtpAsync(1);
        RtpPacket.TryParse(atBrowser.ShouldHaveSingleItem(), out var decrypted).ShouldBeTrue();
        decrypted.Payload.ToArray().ShouldBe(Speech(2));
    }

    [Fact]
    public async Task Rtcp_is_muxed_on_the_rtp_port_and_protected_both_ways()
    {
        await leg.DisposeAsync();
        disposables.Remove(leg);
        await OpenAsync(new RtpSessionOptions { RtcpInterval = TimeSpan.FromMilliseconds(200) });
        var browser = await ConnectedBrowserAsync();

        for (var i = 0; i < 5; i++) leg.Send(Packet((ushort)i, (uint)(i * 160), Speech(i))).ShouldBeTrue();
        var report = await browser.ReceiveSenderReportAsync(Within);

        report.ShouldNotBeNull();
        report.SenderReports[0].Ssrc.ShouldBe(leg.Outgoing.Ssrc);
        report.SenderReports[0].Info.PacketCount.ShouldBe(5u);
        browser.Unauthenticated.ShouldBe(0);

        // The other way: the browser's SRTCP on the same port is unprotected and read.
        var bye = browser.ProtectedBye();
        var forged = bye.ToArray();
        forged[^1] ^= 1;
        browser.Send(forged);
        await Task.Delay(100);
        leg.ByeReceived.ShouldBeFalse();
        browser.Send(bye);
        await WaitUntilAsync(() => leg.ByeReceived);
        secure.AuthenticationFailures.ShouldBe(1);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
        condition().ShouldBeTrue();
    }
}

public sealed class WebRtcSessionTestsOnPoller() : WebRtcSessionTests(UdpPoller.Shared, 41700);

public sealed class WebRtcSessionTestsOnAsyncLoops() : WebRtcSessionTests(null, 41800);
