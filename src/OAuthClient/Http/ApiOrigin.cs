using System.Text;

namespace OAuthClient.Internal;

/// <summary>A scheme, host and port that may receive a client's token.</summary>
internal sealed class ApiOrigin
{
    // The origin as the text a request URI starts with, e.g. "https://api.example.com/" (or ":8443/").
    private readonly string _prefix;

    private ApiOrigin(string scheme, string host, int port, bool isDefaultPort, bool isSecure)
    {
        Scheme = scheme;
        Host = host;
        Port = port;
        IsSecure = isSecure;
        _prefix = isDefaultPort ? $"{scheme}://{host}/" : $"{scheme}://{host}:{port}/";
    }

    public string Scheme { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary>Gets whether tokens may travel to this origin: HTTPS, or HTTP to loopback.</summary>
    public bool IsSecure { get; }

    public static ApiOrigin From(Uri uri) => new(uri.Scheme, uri.IdnHost, uri.Port, uri.IsDefaultPort, Transport.IsSecure(uri));

    /// <summary>Tells whether the text of <paramref name="uri"/> starts with this origin as it prints, parsing nothing.</summary>
    /// <remarks>
    /// Most request URIs are written the way the origin prints, and reading the host of a new Uri costs about
    /// 20 ns a request. The prefix ends with the '/' that closes the authority, so no user info, port or other
    /// host can follow it; the comparison folds ASCII case only, so no non-ASCII look-alike matches. A URI
    /// written otherwise is not matched here, only by <see cref="Matches"/>.
    /// </remarks>
    public bool MatchesText(Uri uri)
    {
        var text = uri.OriginalString;
        return text.Length >= _prefix.Length && Ascii.EqualsIgnoreCase(text.AsSpan(0, _prefix.Length), _prefix);
    }

    /// <summary>Tells whether <paramref name="uri"/> has this scheme, host and port.</summary>
    public bool Matches(Uri uri) =>
        MatchesText(uri)
        || (uri.IsAbsoluteUri
            && uri.Port == Port
            && string.Equals(uri.Scheme, Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.IdnHost, Host, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"{Scheme}://{Host}:{Port}";
}
