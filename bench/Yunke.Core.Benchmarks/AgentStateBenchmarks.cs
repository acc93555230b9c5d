using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yunke.Core.AgentStates;
using Yunke.Core.Persistence;

namespace Yunke.Core.Benchmarks;

/// <summary>
/// Issue 3: state changes per second through one tenant's single-writer owner with 10,000 signed-in
/// agents, persisted for real (write-behind to a SQLite file), and the latency of one change.
/// </summary>
public abstract class AgentStateBench
{
    public const int Agents = 10_000;
    private ServiceProvider services = null!;
    protected TenantAgentStates states = null!;
    private string dir = "";

    [GlobalSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "yunke-bench", Guid.NewGuid().ToString("N"));
        services = new ServiceCollection()
            .AddYunkeDatabase("sqlite", null, dir)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton<AgentStateHub>()
            .BuildServiceProvider();
        using (var scope = services.CreateScope()) scope.ServiceProvider.GetRequiredService<YunkeDb>().MigrateAsync().GetAwaiter().GetResult();
        states = services.GetRequiredService<AgentStateHub>().ForTenantAsync(Guid.NewGuid()).GetAwaiter().GetResult();
        Task.WhenAll(Enumerable.Range(0, Agents).Select(i => states.ApplyAsync(Id(i), AgentTrigger.SignIn))).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        services.GetRequiredService<AgentStateHub>().StopAsync(default).GetAwaiter().GetResult();
        services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(dir, true);
    }

    protected AgentTrigger Toggle(int i) => states.Get(Id(i)).State == AgentState.Idle ? AgentTrigger.NotReady : AgentTrigger.Ready;

    protected static string Id(int i) => (10000 + i).ToString();
}

/// <summary>A burst of changes from many sources at once: every one of the 10,000 agents toggles idle ↔ busy.</summary>
[Config(typeof(Columns))]
public class AgentStateThroughput : AgentStateBench
{
    [Benchmark(OperationsPerInvoke = Agents)]
    public Task ChangesFromManySources() =>
        Task.WhenAll(Enumerable.Range(0, Agents).Select(i => states.ApplyAsync(Id(i), Toggle(i))));
}

/// <summary>
/// One change at a time, each measured on its own (one invocation per iteration), so the percentiles
/// are those of single changes: the latency a workbench click sees inside the server.
/// </summary>
[Config(typeof(Columns))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 200, iterationCount: 5000, invocationCount: 1)]
public class AgentStateLatency : AgentStateBench
{
    private int next;

    [Benchmark]
    public Task OneChange()
    {
        var i = next++ % Agents;
        return states.ApplyAsync(Id(i), Toggle(i));
    }
}

/// <summary>Adds the 99th percentile, which BenchmarkDotNet computes but does not show by default.</summary>
internal sealed class Columns : ManualConfig
{
    public Columns() => AddColumn(StatisticColumn.P95, new P99Column(), StatisticColumn.OperationsPerSecond);
}

internal sealed class P99Column : IColumn
{
    public string Id => "P99";
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 10;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "99th percentile of the time per operation";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        return stats is null ? "-" : $"{stats.Percentiles.Percentile(99) / 1000.0:N1} μs";
    }
}
