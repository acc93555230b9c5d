using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Yunke.Server.Tests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL cluster for this test run, on a loopback port. The test command may
/// pass one in with YUNKE_TEST_POSTGRES (a connection string to a server where we may create
/// databases); otherwise Debian's postgresql binaries start one in a temporary folder.
/// </summary>
public static class PostgresCluster
{
    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates an empty database and answers its connection string.</summary>
    public static string CreateDatabase()
    {
        var name = $"yunke_test_{Guid.NewGuid():N}";
        using var conn = new NpgsqlConnection(Server.Value);
        conn.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        cmd.ExecuteNonQuery();
        return new NpgsqlConnectionStringBuilder(Server.Value) { Database = name, Pooling = true }.ConnectionString;
    }

    private static string Start()
    {
        var given = Environment.GetEnvironmentVariable("YUNKE_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(given)) return given;

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL is not installed: run the README's test command (it installs Debian's postgresql), or set YUNKE_TEST_POSTGRES.");

        var dir = Path.Combine(Path.GetTempPath(), $"yunke-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(dir);
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"postgres:postgres {dir}");
        var port = FreePort();
        RunPg(bin, asRoot, "initdb", $"-D {dir}/data -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8");
        RunPg(bin, asRoot, "pg_ctl", $"-D {dir}/data -l {dir}/log -w -o \"-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { RunPg(bin, asRoot, "pg_ctl", $"-D {dir}/data -m immediate stop"); Directory.Delete(dir, true); } catch { /* best effort at exit */ }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Include Error Detail=true";
    }

    private static void RunPg(string bin, bool asRoot, string tool, string args)
    {
        if (asRoot) Run("runuser", $"-u postgres -- {bin}/{tool} {args}");
        else Run($"{bin}/{tool}", args);
    }

    private static void Run(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {error}{output.Result}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
