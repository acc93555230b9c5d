using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>
/// A real softphone: /usr/bin/baresip (Debian), headless, with a temporary config folder holding one
/// account. Only the account module is loaded and every audio device is "none", so it runs without
/// sound hardware; registration is all it does. What it prints is read line by line to see how the
/// registration went. It quits by itself after <see cref="Lifetime"/> in case a test never stops it.
/// </summary>
public sealed partial class Baresip : IAsyncDisposable
{
    public const string Executable = "/usr/bin/baresip";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly Process process;
    private readonly string dir;
    private readonly List<string> lines = [];
    private readonly SemaphoreSlim printed = new(0);

    /// <summary>The port it listens on (UDP and TCP), which its Contact carries.</summary>
    public int LocalPort { get; }

    private Baresip(Process process, string dir, int localPort)
    {
        this.process = process;
        this.dir = dir;
        LocalPort = localPort;
    }

    /// <summary>Everything it printed so far, without colour codes.</summary>
    public string Output
    {
        get { lock (lines) return string.Join('\n', lines); }
    }

    /// <summary>
    /// A free port whose next port is free too: baresip 1.0 ignores sip_transports and also opens SIP over TLS, on
    /// the port after sip_listen's, and gives up when that one is taken.
    /// </summary>
    private static int FreePortPair()
    {
        while (true)
        {
            var port = Infrastructure.YunkeServer.FreePort();
            try
            {
                using var next = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port + 1);
                next.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException) { }
        }
    }

    /// <summary>Starts baresip with one account registering <paramref name="number"/> to 127.0.0.1:<paramref name="port"/>.</summary>
    /// <param name="answerWithTone">
    /// Null: the phone only registers. A frequency: it answers calls by itself (answermode=auto) in PCMU and
    /// talks a sine tone of that frequency (the ausine module); what it hears goes nowhere (aubridge).
    /// </param>
    public static Baresip Start(string number, string password, int port, string transport = "udp", int registerInterval = 60,
        int? answerWithTone = null)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException("baresip is not installed: run scripts/install-deps.sh --tests.");
        var dir = Directory.CreateTempSubdirectory("yunke-baresip-").FullName;
        var localPort = FreePortPair();
        File.WriteAllText(Path.Combine(dir, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{localPort}
            sip_transports		udp,tcp
            # ephemeral ports only: the server under test takes its RTP ports below 32768
            rtp_ports		40000-59999
            module_path		/usr/lib/baresip/modules
            module_app		account.so
            """ + "\n" + (answerWithTone is { } tone
            ? $"""
              module			g711.so
              module			ausine.so
              module			aubridge.so
              audio_source		ausine,{tone}
              ausrc_srate		48000
              ausrc_channels		2
              audio_player		aubridge,nowhere
              audio_alert		aubridge,nowhere
              """
            : """
              audio_player		none
              audio_source		none
              audio_alert		none
              """) + "\n");
        var answering = answerWithTone is null ? "" : ";answermode=auto;audio_codecs=PCMU";
        File.WriteAllText(Path.Combine(dir, "accounts"),
            $"<sip:{number}@127.0.0.1:{port};transport={transport}>;auth_pass={password};regint={registerInterval}{answering}\n");

        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-4", "-f", dir, "-t", ((int)Lifetime.TotalSeconds).ToString() }) start.ArgumentList.Add(a);
        var process = new Process { StartInfo = start };
        var phone = new Baresip(process, dir, localPort);
        process.OutputDataReceived += (_, e) => phone.Append(e.Data);
        process.ErrorDataReceived += (_, e) => phone.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return phone;
    }

    /// <summary>Waits for the registrar's final answer: "200 OK" when registered, else the failure it printed (e.g. "403 Forbidden").</summary>
    public async Task<string> RegistrationAsync(TimeSpan? timeout = null)
    {
        var line = await WaitForLineAsync(l => Registered().IsMatch(l) || Failed().IsMatch(l), timeout ?? TimeSpan.FromSeconds(15));
        return (Registered().Match(line) is { Success: true } ok ? ok : Failed().Match(line)).Groups["status"].Value;
    }

    /// <summary>The first line (printed before or after the call) that matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        for (var seen = 0; ;)
        {
            var exited = process.HasExited;
            // Once it has exited, WaitForExit() returns only after the last printed line has been read.
            if (exited) process.WaitForExit();
            lock (lines)
                for (; seen < lines.Count; seen++)
                    if (match(lines[seen])) return lines[seen];
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || exited)
                throw new TimeoutException($"baresip did not print what was awaited within {timeout.TotalSeconds} s " +
                    $"({(exited ? $"exited with {process.ExitCode}" : "still running")}):\n{Output}");
            await printed.WaitAsync(left);
        }
    }

    /// <summary>Quits as a user would (SIGTERM): baresip unregisters its account on the way out.</summary>
    public async Task QuitAsync()
    {
        if (process.HasExited) return;
        using (var kill = Process.Start("/bin/kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { process.Kill(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (lines) lines.Add(AnsiColour().Replace(line, ""));
        printed.Release();
    }

    // "4829131001@127.0.0.1: {0/UDP/v4} 200 OK (Yunke) [1 binding]"
    [GeneratedRegex(@"\{\d+/(?<transport>\w+)/v4\} (?<status>2\d\d [^(\[]*?)\s*(\(|\[|$)")]
    private static partial Regex Registered();

    // "reg: sip:4829131001@127.0.0.1:5060: 403 Forbidden (Yunke)"
    [GeneratedRegex(@"^reg: sip:\S+: (?<status>[3-6]\d\d [^(]*?)\s*(\(|$)")]
    private static partial Regex Failed();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiColour();
}
