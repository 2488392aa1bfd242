namespace OAuthClient.Internal;

/// <summary>The transport rule for tokens and credentials: HTTPS, or plain HTTP only to a loopback address.</summary>
internal static class Transport
{
    public static bool IsSecure(Uri uri) =>
        string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
        || (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) && uri.IsLoopback);
}
