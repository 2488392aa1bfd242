using System.Text.Json.Serialization;

namespace OAuthClient.Desktop;

/// <summary>Who signed in, as the checked ID token (OpenID Connect) names them; kept in the token store with the tokens.</summary>
/// <remarks>
/// Known only when the scope holds <c>openid</c>. The ID token comes straight from the token endpoint over TLS, whose
/// server check stands in for the signature (OpenID Connect Core §3.1.3.7); its issuer, audience, expiry and nonce are
/// checked, and a refresh that names another user is refused. Claims that are not text, or hold control characters,
/// are left out rather than passed on to a terminal.
/// </remarks>
public sealed class UserAccount
{
    /// <summary>Gets the user's identifier at the issuer (<c>sub</c>): stable, never reassigned, and the one to key data by.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the issuer that vouches for <see cref="Subject"/> (<c>iss</c>).</summary>
    public required string Issuer { get; init; }

    /// <summary>Gets the user's full name (<c>name</c>), when the server sent it.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the name the user goes by at the server (<c>preferred_username</c>), when sent; not unique, not stable.</summary>
    public string? PreferredUsername { get; init; }

    /// <summary>Gets the user's email address (<c>email</c>), when sent; not necessarily verified.</summary>
    public string? Email { get; init; }

    /// <summary>Gets the best name to show: <see cref="Name"/>, else <see cref="PreferredUsername"/>, else <see cref="Email"/>, else <see cref="Subject"/>.</summary>
    [JsonIgnore]
    public string DisplayName => Name ?? PreferredUsername ?? Email ?? Subject;

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
