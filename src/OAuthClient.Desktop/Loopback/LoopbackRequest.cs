namespace OAuthClient.Desktop;

/// <summary>One request to the loopback listener. Its target and body may hold a code: never logged or shown.</summary>
internal sealed record LoopbackRequest(string Method, string Target, string? ContentType, string Body)
{
    public string Path => Target.Split('?', 2)[0];

    public string Query => Target.Split('?', 2) is [_, var query] ? query : "";

    public override string ToString() => $"LoopbackRequest {{ Method = {Method}, Target = [redacted] }}";

    /// <summary>Parses <c>application/x-www-form-urlencoded</c> text; <see langword="null"/> when a name repeats (RFC 6749 §3.1).</summary>
    public static Dictionary<string, string>? ParseForm(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Decode(parts[0]);
            if (!values.TryAdd(name, parts.Length == 2 ? Decode(parts[1]) : ""))
            {
                return null;
            }
        }

        return values;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
