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
    public static async Task<SippRun> RunAsync(string scenario, int port, string transport, IReadOnlyList<SipUser> users,
        int? localPort = null, TimeSpan? timeout = null)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException("sipp is not installed: run scripts/install-deps.sh --tests (Debian sip-tester).");
        var dir = Directory.CreateTempSubdirectory("yunke-sipp-").FullName;
        try
        {
            var inf = Path.Combine(dir, "users.csv");
            // sipp reads digest credentials from a field holding its whole [authentication ...] keyword.
            await File.WriteAllLinesAsync(inf, users.Select(u => $"{u.Number};[authentication username={u.Number} password={u.Password}];{u.Expires}")
                .Prepend("SEQUENTIAL"));
            var limit = timeout ?? TimeSpan.FromSeconds(15);
            string[] args =
            [
                $"127.0.0.1:{port}", "-sf", Path.Combine(AppContext.BaseDirectory, "Sip", "Scenarios", scenario), "-inf", inf,
                "-t", transport switch { "udp" => "u1", "tcp" => "t1", _ => throw new ArgumentOutOfRangeException(nameof(transport)) },
                "-i", "127.0.0.1", "-p", (localPort ?? Infrastructure.YunkeServer.FreePort()).ToString(),
                "-m", users.Count.ToString(), "-r", "50", "-l", "10",
                "-timeout", $"{(int)limit.TotalSeconds}s", "-timeout_error", "-recv_timeout", "5000", "-max_retrans", "3", "-nostdin",
                "-trace_msg", "-message_file", Path.Combine(dir, "messages.log"),
                "-trace_err", "-error_file", Path.Combine(dir, "errors.log"),
                "-trace_screen", "-screen_file", Path.Combine(dir, "screen.log"),
                "-trace_stat", "-stf", Path.Combine(dir, "stats.csv"),
            ];
            var start = new ProcessStartInfo(Executable)
            {
                WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var sipp = Process.Start(start)!;
            var stdout = sipp.StandardOutput.ReadToEndAsync();
            var stderr = sipp.StandardError.ReadToEndAsync();
            // sipp stops itself at -timeout; the margin only catches a hung sipp.
            using var cancel = new CancellationTokenSource(limit + TimeSpan.FromSeconds(15));
            try { await sipp.WaitForExitAsync(cancel.Token); }
            catch (OperationCanceledException)
            {
                sipp.Kill(entireProcessTree: true);
                throw new TimeoutException($"sipp did not stop within {limit.TotalSeconds} s:\n{await stdout}{await stderr}");
            }
            var (successful, failed) = Counts(Path.Combine(dir, "stats.csv"));
            return new SippRun(sipp.ExitCode, successful, failed, Read(dir, "messages.log"),
                Read(dir, "errors.log") + await stderr, Read(dir, "screen.log"));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>SuccessfulCall(C) and FailedCall(C) (cumulative) from the last line of sipp's statistics file.</summary>
    private static (int Successful, int Failed) Counts(string stats)
    {
        if (!File.Exists(stats)) return (0, 0);
        var lines = File.ReadAllLines(stats).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) return (0, 0);
        var names = lines[0].Split(';');
        var values = lines[^1].Split(';');
        int Value(string name) => int.Parse(values[Array.IndexOf(names, name)]);
        return (Value("SuccessfulCall(C)"), Value("FailedCall(C)"));
    }

    private static string Read(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        if (!File.Exists(path)) return "";
        var text = File.ReadAllText(path, Encoding.UTF8);
        return text.Length > 20_000 ? "…" + text[^20_000..] : text;
    }
}
