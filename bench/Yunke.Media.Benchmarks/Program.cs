using BenchmarkDotNet.Running;
using Yunke.Media.Benchmarks;

// `load ...` runs the relayed-calls load test (see RelayLoad.cs); `relay-server ...` is its child process.
return args.FirstOrDefault() switch
{
    "load" => RelayLoad.Run(args[1..]),
    "relay-server" => await RelayServer.RunAsync(args[1..]),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RelayLoad).Assembly).Run(args);
    return 0;
}
