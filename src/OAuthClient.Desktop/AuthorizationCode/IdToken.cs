using System.Text.Json;

namespace OAuthClient.Desktop;

/// <summary>
/// Reads the <c>nonce</c> claim of an ID token received straight from the token endpoint over TLS, which
/// OpenID Connect Core §3.1.3.7 lets the client trust without checking the signature.
/// </summary>
internal static class IdToken
{
    public static bool HasNonce(string? idToken, string nonce)
    {
        var parts = idToken?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("nonce", out var claim)
                && claim.ValueKind == JsonValueKind.String
                && string.Equals(claim.GetString(), nonce, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }
}
