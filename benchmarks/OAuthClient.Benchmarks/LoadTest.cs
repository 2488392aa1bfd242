namespace OAuthClient.Benchmarks;

internal static class LoadTest
{
    public static Task<int> RunAsync() => Task.FromResult(1);
}
