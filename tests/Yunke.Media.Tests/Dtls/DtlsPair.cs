using Yunke.Media.Dtls;

namespace Yunke.Media.Tests.Dtls;

/// <summary>
/// A DTLS client and server wired to each other in memory: what one sends the other is delivered, unless the
/// filter of the sending side says to drop it (simulated loss). Every datagram sent is kept for inspection.
/// </summary>
internal sealed class DtlsPair : IDisposable
{
    public DtlsCertificate ClientCertificate { get; } = DtlsCertificate.Create("client");
    public DtlsCertificate ServerCertificate { get; } = DtlsCertificate.Create("server");
    public DtlsSrtpEndpoint Client { get; }
    public DtlsSrtpEndpoint Server { get; }
    public List<byte[]> SentByClient { get; } = [];
    public List<byte[]> SentByServer { get; } = [];
    public Func<byte[], bool> DropFromClient { get; set; } = _ => false;
    public Func<byte[], bool> DropFromServer { get; set; } = _ => false;

    public DtlsPair(DtlsSrtpOptions? clientOptions = null, DtlsSrtpOptions? serverOptions = null,
        Func<DtlsCertificate, DtlsFingerprint>? clientExpects = null, Func<DtlsCertificate, DtlsFingerprint>? serverExpects = null)
    {
        // the functions get the other side's certificate and say which fingerprint its SDP would carry
        clientExpects ??= c => c.Fingerprint;
        serverExpects ??= c => c.Fingerprint;
        Client = new DtlsSrtpEndpoint(DtlsRole.Client, ClientCertificate, clientExpects(ServerCertificate),
            d => Pass(d, SentByClient, DropFromClient, () => Server!), clientOptions);
        Server = new DtlsSrtpEndpoint(DtlsRole.Server, ServerCertificate, serverExpects(ClientCertificate),
            d => Pass(d, SentByServer, DropFromServer, () => Client!), serverOptions);
    }

    private static void Pass(ReadOnlySpan<byte> datagram, List<byte[]> log, Func<byte[], bool> drop, Func<DtlsSrtpEndpoint> to)
    {
        var copy = datagram.ToArray();
        lock (log)
            log.Add(copy);
        if (!drop(copy))
            to().Deliver(copy);
    }

    public Task<DtlsSrtpKeys[]> HandshakeAsync() => Task.WhenAll(Client.HandshakeAsync(), Server.HandshakeAsync());

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
