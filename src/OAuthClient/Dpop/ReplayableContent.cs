namespace OAuthClient.Internal;

/// <summary>
/// Which request content can be sent a second time: what the token handler's 401 retry and the DPoP nonce retry may
/// re-send. A stream, a gRPC message pump or multipart is sent once and never buffered on the library's account.
/// </summary>
internal static class ReplayableContent
{
    public static bool Is(HttpContent? content) => content is null or ByteArrayContent or ReadOnlyMemoryContent;
}
