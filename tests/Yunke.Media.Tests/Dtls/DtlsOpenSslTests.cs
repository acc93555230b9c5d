using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Yunke.Media.Dtls;
using Yunke.Media.Srtp;

namespace Yunke.Media.Tests.Dtls;

/// <summary>
/// Against OpenSSL, an independent DTLS-SRTP implementation, over real UDP on loopback: the handshake completes,
/// the profile is the one OpenSSL reports, and the keying material OpenSSL exports (RFC 5764 4.2) is what our keys
/// were cut from. openssl is a test dependency (scripts/install-deps.sh --tests installs it).
/// </summary>
public sealed partial class DtlsOpenSslTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);
    private readonly string directory = Directory.CreateTempSubdirectory("yunke-dtls-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("SRTP_AES128_CM_SHA1_80", SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData("SRTP_AES128_CM_SHA1_32", SrtpProfile.AesCm128HmacSha1_32)]
    public async Task Yunke_as_server_agrees_with_openssl_s_client(string opensslProfile, SrtpProfile profile)
    {
        var peerFingerprint = await MakeCertificateAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint? peer = null;
        using var server = new DtlsSrtpEndpoint(DtlsRole.Server, DtlsCertificate.Shared, peerFingerprint, d => socket.SendTo(d, SocketFlags.None, peer!));
        using var stop = new CancellationTokenSource();
        var receiving = ReceiveAsync(socket, server, from => peer = from, stop.Token);
        var handshake = server.HandshakeAsync();

        using var openssl = Start("s_client", $"-dtls1_2 -connect 127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port} -cert peer.pem -key peer.key " +
            $"-use_srtp {opensslProfile} -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 60");
        var keys = await handshake.WaitAsync(Within);
        var output = await FinishAsync(openssl);
        stop.Cancel();
        await receiving;

        output.ShouldContain($"SRTP Extension negotiated, profile={opensslProfile}", customMessage: output);
        keys.Profile.ShouldBe(profile);
        var material = KeyingMaterial(output);
        keys.Remote.Key.ShouldBe(material[..16]);       // openssl is the client: client write key first
        keys.Local.Key.ShouldBe(material[16..32]);
        keys.Remote.Salt.ShouldBe(material[32..46]);
        keys.Local.Salt.ShouldBe(material[46..60]);
    }

    [Fact]
    public async Task Yunke_as_client_agrees_with_openssl_s_server()
    {
        var peerFingerprint = await MakeCertificateAsync();
        var port = FreeUdpPort();
        using var openssl = Start("s_server", $"-dtls1_2 -accept {port} -cert peer.pem -key peer.key -verify 1 " +
            "-use_srtp SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32 -keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 60");
        var listening = new TaskCompletionSource();
        var output = new System.Text.StringBuilder();
        openssl.OutputDataReceived += (_, e) =>
        {
            lock (output)
                output.AppendLine(e.Data);
            if (e.Data?.Contains("ACCEPT") == true)
                listening.TrySetResult();
        };
        openssl.BeginOutputReadLine();
        await listening.Task.WaitAsync(Within);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, port);
        using var client = new DtlsSrtpEndpoint(DtlsRole.Client, DtlsCertificate.Shared, peerFingerprint, d => socket.SendTo(d, SocketFlags.None, server));
        using var stop = new CancellationTokenSource();
        var receiving = ReceiveAsync(socket, client, _ => { }, stop.Token);

        var keys = await client.HandshakeAsync().WaitAsync(Within);
        byte[]? material = null;
        for (var waited = 0; waited < 100 && material is null; waited++)        // s_server prints after its handshake
        {
            lock (output)
                material = KeyingMaterialOrNull(output.ToString());
            if (material is null)
                await Task.Delay(100);
        }
        client.Close();
        stop.Cancel();
        await receiving;
        openssl.Kill();

        material.ShouldNotBeNull(output.ToString());
        keys.Profile.ShouldBe(SrtpProfile.AesCm128HmacSha1_80);
        keys.Local.Key.ShouldBe(material[..16]);
        keys.Remote.Key.ShouldBe(material[16..32]);
        keys.Local.Salt.ShouldBe(material[32..46]);
        keys.Remote.Salt.ShouldBe(material[46..60]);
    }

    [Fact]
    public async Task Openssl_with_another_certificate_than_its_fingerprint_is_refused()
    {
        await MakeCertificateAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint? peer = null;
        using var server = new DtlsSrtpEndpoint(DtlsRole.Server, DtlsCertificate.Shared, DtlsCertificate.Create().Fingerprint,
            d => socket.SendTo(d, SocketFlags.None, peer!));
        using var stop = new CancellationTokenSource();
        var receiving = ReceiveAsync(socket, server, from => peer = from, stop.Token);
        var handshake = server.HandshakeAsync();

        using var openssl = Start("s_client", $"-dtls1_2 -connect 127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port} -cert peer.pem -key peer.key " +
            "-use_srtp SRTP_AES128_CM_SHA1_80");
        var refused = await Should.ThrowAsync<DtlsSrtpException>(handshake.WaitAsync(Within));
        await FinishAsync(openssl);
        stop.Cancel();
        await receiving;

        refused.Failure.ShouldBe(DtlsSrtpFailure.FingerprintMismatch);
    }

    // An EC P-256 certificate as a browser would make; its fingerprint is what the peer's SDP would carry.
    private async Task<DtlsFingerprint> MakeCertificateAsync()
    {
        using var openssl = Start("req", "-x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout peer.key -out peer.pem -subj /CN=peer -days 1");
        await FinishAsync(openssl);
        return DtlsFingerprint.Of(X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(directory, "peer.pem"))).RawData);
    }

    private Process Start(string command, string arguments) => Process.Start(new ProcessStartInfo("openssl", $"{command} {arguments}")
    {
        WorkingDirectory = directory,
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    })!;

    // s_client prints the session once the handshake is done and leaves when its input ends.
    private static async Task<string> FinishAsync(Process openssl)
    {
        openssl.StandardInput.Close();
        var output = openssl.StandardOutput.ReadToEndAsync();
        var errors = openssl.StandardError.ReadToEndAsync();
        try
        {
            await openssl.WaitForExitAsync().WaitAsync(Within);
        }
        finally
        {
            if (!openssl.HasExited)
                openssl.Kill();
        }
        return await output + await errors;
    }

    private static async Task ReceiveAsync(Socket socket, DtlsSrtpEndpoint endpoint, Action<EndPoint> from, CancellationToken stop)
    {
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop);
                from(received.RemoteEndPoint);
                if (DtlsSrtpEndpoint.IsDtls(buffer.AsSpan(0, received.ReceivedBytes)))
                    endpoint.Deliver(buffer.AsSpan(0, received.ReceivedBytes));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static byte[] KeyingMaterial(string output) =>
        KeyingMaterialOrNull(output) ?? throw new ShouldAssertException($"openssl printed no keying material:\n{output}");

    private static byte[]? KeyingMaterialOrNull(string output) =>
        KeyingMaterialLine().Match(output) is { Success: true } match ? Convert.FromHexString(match.Groups[1].Value) : null;

    [GeneratedRegex(@"Keying material:\s*([0-9A-Fa-f]{120})")]
    private static partial Regex KeyingMaterialLine();
}
