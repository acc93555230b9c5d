using System.Diagnostics;
using System.Text;

namespace Yunke.EndToEnd.Tests.Sip;

/// <summary>A softphone's credentials as sipp's -inf file carries them.</summary>
public sealed record SipUser(string Number, string Password, int Expires = 3600);

/// <summary>What one sipp run did: its exit code (0: every call succeeded), its call counts, and the files it wrote.</summary>
public sealed record SippRun(int ExitCode, int Successful, int Failed, string Messages, string Errors, string Screen)
{
    /// <summary>Everything worth reading when an assertion on this run fails.</summary>
    public override string ToString() =>
        $"sipp exit {ExitCode}, {Successful} successful, {Failed} failed\n--- errors ---\n{Errors}\n--- screen ---\n{Screen}\n--- messages ---\n{Messages}";
}

/// <summary>How one sipp process runs, beyond its scenario (all optional).</summary>
public sealed record SippOptions
{
    /// <summary>Where a client scenario sends (127.0.0.1:port); null for a server scenario that waits for a call.</summary>
    public int? RemotePort { get; init; }
    /// <summary>"udp" or "tcp" (sipp's u1/t1: one socket for all calls).</summary>
    public string Transport { get; init; } = "udp";
    /// <summary>One call per user (the -inf file); with none, one call.</summary>
    public IReadOnlyList<SipUser> Users { get; init; } = [];
    /// <summary>The port sipp listens on and puts in Contact; a free one when null.</summary>
    public int? LocalPort { get; init; }
    /// <summary>sipp stops itself (and fails the calls in progress) after this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The [service] of the Request-URI: the number dialled.</summary>
    public string? Service { get; init; }
    /// <summary>-d: how long a &lt;pause/&gt; without its own length lasts.</summary>
    public TimeSpan? Pause { get; init; }
    /// <summary>-mp with -rtp_echo: the [media_port] of the SDP, where sipp plays pcap audio from and echoes what it receives.</summary>
    public int? EchoMediaPort { get; init; }
    /// <summary>-key name value: [name] in the scenario's messages.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; init; } = new Dictionary<string, string>();
    /// <summary>Files put next to the scenario run (e.g. the pcap it plays), by file name.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; init; } = new Dictionary<string, byte[]>();
}

/// <summary>
/// Runs /usr/bin/sipp (Debian sip-tester) with a scenario of Sip/Scenarios against 127.0.0.1: one call
/// per user of the -inf file, bounded by count (-m) and time (-timeout, -recv_timeout), with the
/// messages, errors, final screen and statistics kept for the assertions.
/// </summary>
public static class Sipp
{
    public const string Executable = "/usr/bin/sipp";

    /// <param name="scenario">A file name in Sip/Scenarios (copied next to the test assembly).</param>
    /// <param name="transport">"udp" or "tcp" (sipp's u1/t1: one socket for all calls).</param>
    /// <param name="localPort">The port sipp listens on and puts in Contact; a free one when null.</param>
    public static Task<SippRun> RunAsync(string scenario, int port, string transport, IReadOnlyList<SipUser> users,
        int? localPort = null, TimeSpan? timeout = null) =>
        RunAsync(scenario, new SippOptions
        {
            RemotePort = port, Transport = transport, Users = users, LocalPort = localPort, Timeout = timeout ?? TimeSpan.FromSeconds(15),
        });

    public static async Task<SippRun> RunAsync(string scenario, SippOptions options)
    {
        await using var sipp = Start(scenario, options);
        return await sipp.WaitAsync();
    }

    /// <summary>Starts sipp in the background: a caller, or a phone that waits for its call.</summary>
    public static SippProcess Start(string scenario, SippOptions options)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException("sipp is not installed: run scripts/install-deps.sh --tests (Debian sip-tester).");
        var dir = Directory.CreateTempSubdirectory("yunke-sipp-").FullName;
        var args = new List<string>();
        if (options.RemotePort is { } port) args.Add($"127.0.0.1:{port}");
        args.AddRange(["-sf", Path.Combine(AppContext.BaseDirectory, "Sip", "Scenarios", scenario)]);
        if (options.Users.Count > 0)
        {
            var inf = Path.Combine(dir, "users.csv");
            // sipp reads digest credentials from a field holding its whole [authentication ...] keyword.
            File.WriteAllLines(inf, options.Users.Select(u => $"{u.Number};[authentication username={u.Number} password={u.Password}];{u.Expires}")
                .Prepend("SEQUENTIAL"));
            args.AddRange(["-inf", inf]);
        }
        foreach (var (name, content) in options.Files) File.WriteAllBytes(Path.Combine(dir, name), content);
        args.AddRange(
        [
            "-t", options.Transport switch { "udp" => "u1", "tcp" => "t1", _ => throw new ArgumentOutOfRangeException(nameof(options)) },
            "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", (options.LocalPort ?? Infrastructure.YunkeServer.FreePort()).ToString(),
            "-m", Math.Max(1, options.Users.Count).ToString(), "-r", "50", "-l", "10",
            "-timeout", $"{(int)options.Timeout.TotalSeconds}s", "-timeout_error", "-recv_timeout", "5000", "-max_retrans", "3", "-nostdin",
            "-trace_msg", "-message_file", Path.Combine(dir, "messages.log"),
            "-trace_err", "-error_file", Path.Combine(dir, "errors.log"),
            "-trace_screen", "-screen_file", Path.Combine(dir, "screen.log"),
            "-trace_stat", "-stf", Path.Combine(dir, "stats.csv"),
        ]);
        if (options.Service is { } service) args.AddRange(["-s", service]);
        if (options.Pause is { } pause) args.AddRange(["-d", ((int)pause.TotalMilliseconds).ToString()]);
        if (options.EchoMediaPort is { } media) args.AddRange(["-mp", media.ToString(), "-rtp_echo"]);
        foreach (var (name, value) in options.Keys) args.AddRange(["-key", name, value]);

        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        return new SippProcess(Process.Start(start)!, dir, options.Timeout);
    }

    /// <summary>SuccessfulCall(C) and FailedCall(C) (cumulative) from the last line of sipp's statistics file.</summary>
    internal static (int Successful, int Failed) Counts(string stats)
    {
        if (!File.Exists(stats)) return (0, 0);
        var lines = File.ReadAllLines(stats).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) return (0, 0);
        var names = lines[0].Split(';');
        var values = lines[^1].Split(';');
        int Value(string name) => int.Parse(values[Array.IndexOf(names, name)]);
        return (Value("SuccessfulCall(C)"), Value("FailedCall(C)"));
    }

    internal static string Read(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        if (!File.Exists(path)) return "";
        var text = File.ReadAllText(path, Encoding.UTF8);
        return text.Length > 20_000 ? "…" + text[^20_000..] : text;
    }
}

/// <summary>A sipp running in the background; <see cref="WaitAsync"/> or <see cref="StopAsync"/> gives what it did.</summary>
public sealed class SippProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string dir;
    private readonly TimeSpan limit;
    private readonly Task<string> stdout, stderr;

    internal SippProcess(Process process, string dir, TimeSpan limit)
    {
        this.process = process;
        this.dir = dir;
        this.limit = limit;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The messages sipp sent and received so far (-trace_msg).</summary>
    public string Messages => Sipp.Read(dir, "messages.log");

    /// <summary>Waits for sipp to finish its calls (it stops itself at its -timeout; the margin only catches a hung sipp).</summary>
    public async Task<SippRun> WaitAsync()
    {
        using var cancel = new CancellationTokenSource(limit + TimeSpan.FromSeconds(15));
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sipp did not stop within {limit.TotalSeconds} s:\n{await stdout}{await stderr}");
        }
        return await ResultAsync();
    }

    /// <summary>Ends a sipp that is still waiting (e.g. a phone that was never called) and gives what it did.</summary>
    public async Task<SippRun> StopAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return await ResultAsync();
    }

    private async Task<SippRun> ResultAsync()
    {
        var (successful, failed) = Sipp.Counts(Path.Combine(dir, "stats.csv"));
        return new SippRun(process.ExitCode, successful, failed, Sipp.Read(dir, "messages.log"),
            Sipp.Read(dir, "errors.log") + await stderr, Sipp.Read(dir, "screen.log"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
