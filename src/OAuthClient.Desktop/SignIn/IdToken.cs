using System.Buffers.Text;
using System.Text.Json;

namespace OAuthClient.Desktop;

/// <summary>
/// Checks an ID token received straight from the token endpoint over TLS, whose server check OpenID Connect Core §3.1.3.7
/// lets stand in for the signature, and reads the account it names: issuer, audience, <c>azp</c>, expiry, nonce, and on
/// a refresh the same issuer and subject as before (§12.2).
/// </summary>
internal static class IdToken
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private const int MaxClaimLength = 1024;

    /// <summary>Checks <paramref name="idToken"/> and returns its account.</summary>
    /// <param name="idToken">The token endpoint's <c>id_token</c>.</param>
    /// <param name="clientId">The client it must be issued to.</param>
    /// <param name="issuer">The issuer it must come from, when known (discovery or configuration).</param>
    /// <param name="nonce">The nonce of the authorization request, when there was one.</param>
    /// <param name="previous">The account signed in before a refresh: the new token must name the same user.</param>
    /// <param name="now">The current time.</param>
    /// <exception cref="InvalidIdTokenException">A check failed; the message says which, and never holds the token.</exception>
    public static UserAccount Read(string idToken, string clientId, string? issuer, string? nonce, UserAccount? previous, DateTimeOffset now)
    {
        using var json = Payload(idToken);
        var claims = json.RootElement;

        var iss = Text(claims, "iss") ?? throw Invalid("it has no iss claim");
        if (issuer is not null && !string.Equals(iss, issuer, StringComparison.Ordinal))
        {
            throw Invalid($"it comes from issuer '{Shown(iss)}', not '{issuer}'");
        }

        // A subject with control characters is no identifier: DisplayName falls back to it, and a terminal would run it.
        var sub = Text(claims, "sub");
        if (string.IsNullOrEmpty(sub) || sub.Length > 255 || sub.Any(Unsafe))
        {
            throw Invalid("it has no usable sub claim");
        }

        CheckAudience(claims, clientId);

        if (nonce is not null && !string.Equals(Text(claims, "nonce"), nonce, StringComparison.Ordinal))
        {
            throw Invalid("it does not carry the nonce of this sign-in", "invalid_nonce");
        }

        if (previous is not null
            && (!string.Equals(previous.Issuer, iss, StringComparison.Ordinal) || !string.Equals(previous.Subject, sub, StringComparison.Ordinal)))
        {
            throw Invalid("it names another user than the one signed in");
        }

        // A NumericDate may have a fraction (RFC 7519 §2).
        if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetDouble(out var expires)
            || !double.IsFinite(expires))
        {
            throw Invalid("it has no exp claim");
        }

        // Compared in seconds, not as a DateTimeOffset: one far ahead (or in milliseconds, as some servers send) has none.
        if (expires + ClockSkew.TotalSeconds <= now.ToUnixTimeMilliseconds() / 1000.0)
        {
            throw new InvalidIdTokenException("it has expired", "invalid_id_token") { Expired = true };
        }

        return new UserAccount
        {
            Subject = sub,
            Issuer = iss,
            Name = Shown(claims, "name"),
            PreferredUsername = Shown(claims, "preferred_username"),
            Email = Shown(claims, "email"),
        };
    }

    private static void CheckAudience(JsonElement claims, string clientId)
    {
        var audiences = 0;
        var ours = false;
        if (claims.TryGetProperty("aud", out var aud))
        {
            if (aud.ValueKind == JsonValueKind.String)
            {
                audiences = 1;
                ours = aud.ValueEquals(clientId);
            }
            else if (aud.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in aud.EnumerateArray())
                {
                    audiences++;
                    ours |= item.ValueKind == JsonValueKind.String && item.ValueEquals(clientId);
                }
            }
        }

        if (!ours)
        {
            throw Invalid("it is not issued to this client (aud)");
        }

        // §3.1.3.7 steps 4 and 5: a token for several audiences must say which one it was issued to, and that is us.
        var azp = Text(claims, "azp");
        if ((azp is not null || audiences > 1) && !string.Equals(azp, clientId, StringComparison.Ordinal))
        {
            throw Invalid("it was issued to another party (azp)");
        }
    }

    private static JsonDocument Payload(string idToken)
    {
        var parts = idToken.Split('.');
        if (parts.Length != 3)
        {
            throw Invalid("it is not a JWT");
        }

        try
        {
            var json = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                return json;
            }

            json.Dispose();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        throw Invalid("its payload is not a JSON object");
    }

    private static string? Text(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // A claim meant for display: left out when it is not text, is long, or holds control characters (a terminal escape).
    private static string? Shown(JsonElement claims, string name) =>
        Text(claims, name) is { Length: > 0 and <= MaxClaimLength } text && !text.Any(Unsafe) ? text : null;

    private static string Shown(string value) =>
        value.Length <= 200 && !value.Any(Unsafe) ? value : "(unprintable)";

    // Control characters (terminal escapes, line breaks) and the bidirectional overrides and isolates, which can make a
    // name read as something else ("Trojan Source").
    private static bool Unsafe(char c) =>
        char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';

    private static InvalidIdTokenException Invalid(string problem, string error = "invalid_id_token") => new(problem, error);
}

/// <summary>An ID token failed a check; <see cref="Exception.Message"/> says which, without the token.</summary>
internal sealed class InvalidIdTokenException(string problem, string error) : Exception($"the ID token was refused: {problem}")
{
    public string Error { get; } = error;

    /// <summary>Gets whether expiry was the only problem (expiry is checked last).</summary>
    public bool Expired { get; init; }
}
