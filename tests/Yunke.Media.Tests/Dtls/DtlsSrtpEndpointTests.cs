using System.Diagnostics;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Yunke.Media.Dtls;
using Yunke.Media.Srtp;

namespace Yunke.Media.Tests.Dtls;

public sealed class DtlsSrtpEndpointTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Client_and_server_agree_on_keys_each_sending_with_the_key_the_other_receives_with()
    {
        using var pair = new DtlsPair();

        var (client, server) = await Both(pair);

        client.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_80);   // preferred when both offer both
        server.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_80);
        client.Local.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_80);
        client.Local.Key.ShouldBe(server.Remote.Key);
        client.Local.Salt.ShouldBe(server.Remote.Salt);
        client.Remote.Key.ShouldBe(server.Local.Key);
        client.Remote.Salt.ShouldBe(server.Local.Salt);
        client.Local.Key.Length.ShouldBe(16);
        client.Local.Salt.Length.ShouldBe(14);
        client.Local.Key.ShouldNotBe(client.Remote.Key);
        client.Local.Key.ShouldNotBe(new byte[16]);
    }

    [Fact]
    public async Task Each_handshake_gives_new_keys()
    {
        using var first = new DtlsPair();
        using var second = new DtlsPair();

        var (a, _) = await Both(first);
        var (b, _) = await Both(second);

        a.Local.Key.ShouldNotBe(b.Local.Key);
    }

    [Fact]
    public async Task A_client_offering_only_the_32_bit_tag_gets_it()
    {
        using var pair = new DtlsPair(clientOptions: new DtlsSrtpOptions { Profiles = [SrtpProfile.AesCm128HmacSha1_32] });

        var (client, server) = await Both(pair);

        client.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_32);
        server.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_32);
        server.Remote.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_32);
        client.Local.Key.ShouldBe(server.Remote.Key);
    }

    [Fact]
    public async Task The_server_picks_its_own_preference_among_what_the_client_offers()
    {
        using var pair = new DtlsPair(
            clientOptions: new DtlsSrtpOptions { Profiles = [SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32] },
            serverOptions: new DtlsSrtpOptions { Profiles = [SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AesCm128HmacSha1_80] });

        var (client, server) = await Both(pair);

        (client.Profile, server.Profile).ShouldBe((SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AesCm128HmacSha1_32));
    }

    [Fact]
    public async Task No_profile_in_common_is_refused()
    {
        using var pair = new DtlsPair(
            clientOptions: new DtlsSrtpOptions { Profiles = [SrtpProfile.AesCm128HmacSha1_80] },
            serverOptions: new DtlsSrtpOptions { Profiles = [SrtpProfile.AesCm128HmacSha1_32] });
        var client = pair.Client.HandshakeAsync();

        var refused = await Should.ThrowAsync<DtlsSrtpException>(pair.Server.HandshakeAsync().WaitAsync(Within));

        refused.Failure.ShouldBe(DtlsSrtpFailure.NoCommonProfile);
        (await Should.ThrowAsync<DtlsSrtpException>(client.WaitAsync(Within))).Failure.ShouldBe(DtlsSrtpFailure.HandshakeFailed);
    }

    [Fact]
    public async Task A_client_without_use_srtp_is_refused()
    {
        var serverCertificate = DtlsCertificate.Create();
        DatagramQueue? toClient = null;
        using var server = new DtlsSrtpEndpoint(DtlsRole.Server, serverCertificate, DtlsCertificate.Create().Fingerprint,
            d => toClient!.Deliver(d));
        toClient = new DatagramQueue(d => server.Deliver(d), 1200);
        var plainClient = Task.Run(() => new DtlsClientProtocol().Connect(new PlainDtlsClient(), toClient));

        var refused = await Should.ThrowAsync<DtlsSrtpException>(server.HandshakeAsync().WaitAsync(Within));

        refused.Failure.ShouldBe(DtlsSrtpFailure.NoCommonProfile);
        refused.Message.ShouldContain("use_srtp");
        await Should.ThrowAsync<TlsFatalAlertReceived>(plainClient.WaitAsync(Within));
    }

    [Fact]
    public async Task The_server_refuses_a_client_whose_certificate_is_not_the_one_of_its_sdp()
    {
        using var pair = new DtlsPair(serverExpects: _ => DtlsCertificate.Create().Fingerprint);
        var client = pair.Client.HandshakeAsync();

        var refused = await Should.ThrowAsync<DtlsSrtpException>(pair.Server.HandshakeAsync().WaitAsync(Within));

        refused.Failure.ShouldBe(DtlsSrtpFailure.FingerprintMismatch);
        refused.Message.ShouldContain(pair.ClientCertificate.Fingerprint.ToString());
        (await Should.ThrowAsync<DtlsSrtpException>(client.WaitAsync(Within))).Message.ShouldContain("bad_certificate");
    }

    [Fact]
    public async Task The_client_refuses_a_server_whose_certificate_is_not_the_one_of_its_sdp()
    {
        using var pair = new DtlsPair(clientExpects: _ => DtlsCertificate.Create().Fingerprint);
        var server = pair.Server.HandshakeAsync();

        var refused = await Should.ThrowAsync<DtlsSrtpException>(pair.Client.HandshakeAsync().WaitAsync(Within));

        refused.Failure.ShouldBe(DtlsSrtpFailure.FingerprintMismatch);
        await Should.ThrowAsync<DtlsSrtpException>(server.WaitAsync(Within));
    }

    [Fact]
    public async Task A_fingerprint_with_another_hash_function_is_checked_with_that_function()
    {
        using var pair = new DtlsPair(serverExpects: c => DtlsFingerprint.Of(c.Der, "sha-512"));

        var (client, server) = await Both(pair);

        client.Local.Key.ShouldBe(server.Remote.Key);
    }

    [Fact]
    public async Task A_lost_first_flight_is_sent_again_and_the_handshake_completes()
    {
        using var pair = new DtlsPair();
        int droppedFromClient = 0, droppedFromServer = 0;
        pair.DropFromClient = _ => Interlocked.Exchange(ref droppedFromClient, 1) == 0;    // the ClientHello
        pair.DropFromServer = _ => Interlocked.Exchange(ref droppedFromServer, 1) == 0;    // the start of ServerHello...Done

        var (client, server) = await Both(pair);

        (droppedFromClient, droppedFromServer).ShouldBe((1, 1));
        client.Local.Key.ShouldBe(server.Remote.Key);
        IsClientHello(pair.SentByClient[0]).ShouldBeTrue();
        pair.SentByClient.Count(IsClientHello).ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_lost_last_flight_of_the_server_is_sent_again_after_its_handshake_is_over()
    {
        // The server is done once it sends ChangeCipherSpec + Finished; if they are lost, the client repeats its
        // flight, and only the reading after the handshake can answer it.
        using var pair = new DtlsPair();
        var dropUntil = long.MaxValue;
        var dropped = 0;
        pair.DropFromServer = d =>
        {
            if (d[0] != 20 && Epoch(d) == 0)
                return false;
            var now = Environment.TickCount64;
            Interlocked.CompareExchange(ref dropUntil, now + 500, long.MaxValue);
            if (now >= Interlocked.Read(ref dropUntil))
                return false;
            Interlocked.Increment(ref dropped);
            return true;
        };

        var (client, server) = await Both(pair);

        dropped.ShouldBeGreaterThan(0);
        client.Remote.Key.ShouldBe(server.Local.Key);
    }

    [Fact]
    public async Task Garbage_delivered_during_and_after_the_handshake_does_no_harm()
    {
        using var pair = new DtlsPair();
        var client = pair.Client.HandshakeAsync();
        var server = pair.Server.HandshakeAsync();
        foreach (var junk in Junk())
        {
            pair.Server.Deliver(junk);
            pair.Client.Deliver(junk);
        }

        var keys = await Task.WhenAll(client, server).WaitAsync(Within);
        foreach (var junk in Junk())
            pair.Server.Deliver(junk);
        await Task.Delay(100);

        keys[0].Local.Key.ShouldBe(keys[1].Remote.Key);
        var sent = pair.SentByClient.Count;
        pair.Client.Close();
        pair.SentByClient.Skip(sent).ShouldContain(d => d[0] == 21);   // close_notify: an alert record
    }

    [Fact]
    public async Task A_handshake_without_answer_times_out()
    {
        using var lonely = new DtlsSrtpEndpoint(DtlsRole.Client, DtlsCertificate.Shared, DtlsCertificate.Create().Fingerprint, _ => { },
            new DtlsSrtpOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();

        await Should.ThrowAsync<TimeoutException>(lonely.HandshakeAsync().WaitAsync(Within));

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_handshake_can_be_cancelled_or_closed()
    {
        using var cancelled = new DtlsSrtpEndpoint(DtlsRole.Server, DtlsCertificate.Shared, DtlsCertificate.Create().Fingerprint, _ => { });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Should.ThrowAsync<OperationCanceledException>(cancelled.HandshakeAsync(cancel.Token).WaitAsync(Within));

        using var closed = new DtlsSrtpEndpoint(DtlsRole.Server, DtlsCertificate.Shared, DtlsCertificate.Create().Fingerprint, _ => { });
        var handshake = closed.HandshakeAsync();
        closed.Close();
        await Should.ThrowAsync<ObjectDisposedException>(handshake.WaitAsync(Within));
    }

    [Fact]
    public void Dtls_is_told_apart_from_stun_and_rtp_by_the_first_byte()
    {
        DtlsSrtpEndpoint.IsDtls([22, 254, 253]).ShouldBeTrue();   // handshake record
        DtlsSrtpEndpoint.IsDtls([0, 1, 0, 0]).ShouldBeFalse();    // STUN binding request
        DtlsSrtpEndpoint.IsDtls([0x80, 0]).ShouldBeFalse();       // RTP
        DtlsSrtpEndpoint.IsDtls([]).ShouldBeFalse();
    }

    private static async Task<(DtlsSrtpKeys Client, DtlsSrtpKeys Server)> Both(DtlsPair pair)
    {
        var keys = await pair.HandshakeAsync().WaitAsync(Within);
        return (keys[0], keys[1]);
    }

    private static int Epoch(byte[] record) => record.Length >= 5 ? record[3] << 8 | record[4] : -1;

    private static bool IsClientHello(byte[] d) => d.Length > 13 && d[0] == 22 && d[13] == 1;

    private static IEnumerable<byte[]> Junk()
    {
        var random = new Random(7);
        yield return [];
        yield return [22];
        yield return [22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255];              // header claiming 64 KiB
        yield return [22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 1, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 255];  // truncated ClientHello
        yield return [21, 254, 253, 0, 5, 0, 0, 0, 0, 0, 1, 0, 2, 2, 40];          // a "fatal alert" in an epoch not in use
        for (var i = 0; i < 20; i++)
        {
            var junk = new byte[random.Next(1, 3000)];
            random.NextBytes(junk);
            junk[0] = (byte)random.Next(20, 24);
            yield return junk;
        }
    }

    /// <summary>A DTLS 1.2 client with no use_srtp: a peer that offers no SRTP at all.</summary>
    private sealed class PlainDtlsClient() : DefaultTlsClient(new BcTlsCrypto())
    {
        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

        public override TlsAuthentication GetAuthentication() => new AnyServer();

        private sealed class AnyServer : TlsAuthentication
        {
            public void NotifyServerCertificate(TlsServerCertificate serverCertificate) { }

            public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => null!;
        }
    }
}
