using System.Text;

namespace OAuthClient.Desktop;

/// <summary>
/// Reads one HTTP/1.1 request from a loopback connection: the request line, the two headers the callback
/// needs and a <c>Content-Length</c> body. Anything else (chunked bodies, oversized or malformed requests)
/// yields <see langword="null"/>, and the connection is answered 400 and closed.
/// </summary>
internal static class HttpRequestReader
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    public static async Task<LoopbackRequest?> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes];
        var length = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, length).IndexOf(HeaderEnd)) < 0)
        {
            if (length == maxBytes)
            {
                return null;
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
        }

        var head = Encoding.Latin1.GetString(buffer, 0, headerEnd).Split("\r\n");
        var requestLine = head[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !requestLine[1].StartsWith('/'))
        {
            return null;
        }

        string? contentType = null;
        var contentLength = 0;
        foreach (var line in head.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && !(int.TryParse(value, System.Globalization.NumberStyles.None, null, out contentLength) && contentLength <= maxBytes))
            {
                return null;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        var bodyStart = headerEnd + HeaderEnd.Length;
        if (bodyStart + contentLength > maxBytes)
        {
            return null;
        }

        while (length < bodyStart + contentLength)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length, bodyStart + contentLength - length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
        }

        var body = Encoding.ASCII.GetString(buffer, bodyStart, contentLength);
        return new LoopbackRequest(requestLine[0], requestLine[1], contentType, body);
    }
}
