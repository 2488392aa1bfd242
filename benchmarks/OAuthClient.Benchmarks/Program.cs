using BenchmarkDotNet.Running;
using OAuthClient.Benchmarks;

// --load: the concurrency and expiry checks; --tenants: 100,000 token clients under Zipf traffic across expiries; --memory: bytes kept per cached client; --exchange-memory: bytes kept
// per user of a token exchange; --interleaved: the handler
// rows measured in alternation; --teardown: building, first use and disposal of many clients; anything else goes to
// BenchmarkDotNet.
if (args.Contains("--tenants"))
{
    return await TenantsLoadTest.RunAsync(args);
}

if (args.Contains("--load"))
{
    return await LoadTest.RunAsync();
}

if (args.Contains("--memory"))
{
    return await MemoryPerEntry.RunAsync(args);
}

if (args.Contains("--exchange-memory"))
{
    return await ExchangeMemory.RunAsync();
}

if (args.Contains("--teardown"))
{
    return await Teardown.RunAsync(args);
}

if (args.Contains("--interleaved"))
{
    return await InterleavedComparison.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(HandlerBenchmarks).Assembly).Run(args);
return 0;
