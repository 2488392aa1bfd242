namespace OAuthClient;

/// <summary>A scheme, host and port that may receive a client's token.</summary>
internal sealed class ApiOrigin
{
    private ApiOrigin(string scheme, string host, int port)
    {
        Scheme = scheme;
        Host = host;
        Port = port;
    }

    public string Scheme { get; }

    public string Host { get; }

    public int Port { get; }

    public static ApiOrigin From(Uri uri) => new(uri.Scheme, uri.IdnHost, uri.Port);

    public bool Matches(Uri uri) =>
        uri.Port == Port
        && string.Equals(uri.Scheme, Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>Formats the origin of <paramref name="uri"/> for a log line: never its path or query.</summary>
    public static string Describe(Uri uri) => $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";

    public override string ToString() => $"{Scheme}://{Host}:{Port}";
}
