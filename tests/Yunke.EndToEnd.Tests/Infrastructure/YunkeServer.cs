using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Yunke.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real server, started from its build output as a separate process (`dotnet Yunke.Server.dll`)
/// on free loopback ports, with its own empty data folder and a known operator password.
/// Killed at the end; what it printed is kept for the tests' diagnostics.
/// </summary>
public sealed class YunkeServer : IAsyncLifetime
{
    public const string OperatorPassword = "Operator#E2e2026";
    /// <summary>The registrar's shortest registration (seconds): shorter asks get 423 Interval Too Brief.</summary>
    public const int SipMinExpires = 2;
    /// <summary>How long an agent's phone rings before the call goes to the next agent (Yunke:Calls:RingTimeoutSeconds): short, so redirect tests are quick.</summary>
    public const int RingTimeoutSeconds = 4;

    private readonly StringBuilder output = new();
    private Process? process;

    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>The SIP registrar's port (UDP and TCP) on 127.0.0.1.</summary>
    public int SipPort { get; private set; }
    /// <summary>The second registrar's port in pool mode (UDP and TCP) on 127.0.0.1.</summary>
    public int SipPoolPort { get; private set; }
    /// <summary>Where Yunke sends calls to customers (Yunke:Sip:Trunk, UDP on 127.0.0.1): a test's carrier listens there.</summary>
    public int TrunkPort { get; private set; }
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "yunke-e2e", Guid.NewGuid().ToString("N"));

    /// <summary>Everything the server printed so far (stdout and stderr, interleaved).</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public async Task InitializeAsync()
    {
        var httpPort = FreePort();
        SipPort = FreePort();
        SipPoolPort = FreePort();
        TrunkPort = FreePort();
        rtpMin = FreeRtpBlock();
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        await StartAsync();
    }

    private int rtpMin;

    private async Task StartAsync()
    {
        var dll = ServerDll();
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, "--urls", BaseAddress.ToString().TrimEnd('/'),
            $"--Yunke:DataDir={DataDir}",
            $"--Yunke:Operator:Password={OperatorPassword}",
            "--Yunke:Sip:Host=127.0.0.1", $"--Yunke:Sip:Port={SipPort}", $"--Yunke:Sip:PoolPort={SipPoolPort}",
            // Short registrations are allowed, so a test can watch one lapse.
            $"--Yunke:Sip:MinExpires={SipMinExpires}",
            $"--Yunke:Sip:Trunk=127.0.0.1:{TrunkPort}",
            $"--Yunke:Calls:RingTimeoutSeconds={RingTimeoutSeconds}",
            $"--Yunke:Rtp:PortMin={rtpMin}", $"--Yunke:Rtp:PortMax={rtpMin + 99}",
            // A console event that fails shows its exception in the browser (a test logs page errors), not only
            // "an exception invoking DispatchEventAsync".
            "--DetailedErrors=true",
        })
            start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        await WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        Append($"--- healthy after {clock.Elapsed.TotalSeconds:F1} s ---");
    }

    /// <summary>
    /// Stops the server as an operator would (SIGTERM: the host shuts down in order), or kills it as a crash would
    /// (SIGKILL), and starts it again on the same ports and data folder. Every test shares this server, so only a
    /// test that needs a restart does it.
    /// </summary>
    public async Task RestartAsync(bool crash = false)
    {
        var old = process!;
        var clock = Stopwatch.StartNew();
        if (crash) old.Kill(entireProcessTree: true);
        else using (var term = Process.Start("/bin/kill", ["-TERM", old.Id.ToString()])) await term.WaitForExitAsync();
        using (var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try { await old.WaitForExitAsync(stopped.Token); }
            catch (OperationCanceledException) { old.Kill(entireProcessTree: true); }
        }
        Append($"--- server stopped with exit code {old.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s; starting again ---");
        old.Dispose();
        await StartAsync();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (process!.HasExited)
                throw new InvalidOperationException($"The server exited with code {process.ExitCode} before it was healthy:\n{Output}");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The server did not answer /healthz within {timeout.TotalSeconds} s:\n{Output}");
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        process?.Dispose();
        try { Directory.Delete(DataDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    /// <summary>The server of the same build configuration as these tests; YUNKE_SERVER_DLL overrides it.</summary>
    private static string ServerDll()
    {
        var dll = Environment.GetEnvironmentVariable("YUNKE_SERVER_DLL");
        if (string.IsNullOrEmpty(dll))
            dll = typeof(YunkeServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "YunkeServerDll").Value!;
        dll = Path.GetFullPath(dll);
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the server is not built.", dll);
    }

    /// <summary>The dotnet host that runs these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// The first of 100 free UDP ports for the server's RTP, below the kernel's ephemeral range (from 32768): a port
    /// <see cref="FreePort"/> hands a test peer (always ephemeral) can never be one the server binds for media later.
    /// </summary>
    private static int FreeRtpBlock()
    {
        while (true)
        {
            var first = Random.Shared.Next(21_000, 32_600) & ~1;
            var sockets = new List<UdpClient>();
            try
            {
                for (var port = first; port < first + 100; port++) sockets.Add(new UdpClient(new IPEndPoint(IPAddress.Loopback, port)));
                return first;
            }
            catch (SocketException) { }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
            }
        }
    }

    /// <summary>A port free for TCP and UDP alike (SIP listens on both).</summary>
    public static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20) { }
        }
    }
}
