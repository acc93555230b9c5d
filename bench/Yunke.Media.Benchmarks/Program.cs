using BenchmarkDotNet.Running;
using Yunke.Media.Benchmarks;

// `load ...` runs the relayed-calls load test (see RelayLoad.cs); `relay-server ...` is its child process;
// `phones ...` plays the RTP of calls through the real server for bench/calls/run.sh (see CallPhones.cs).
return args.FirstOrDefault() switch
{
    "load" => RelayLoad.Run(args[1..]),
    "relay-server" => await RelayServer.RunAsync(args[1..]),
    "phones" => CallPhones.Run(args[1..]),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RelayLoad).Assembly).Run(args);
    return 0;
}
