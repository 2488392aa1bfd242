using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient;

/// <summary>Holds the key objects of a client that configuration cannot express: set in code, never bound from configuration.</summary>
/// <remarks>
/// A client's keys go under the client's name: <c>services.ConfigureClientKeys("orders", k => ...)</c>, or
/// <c>.ConfigureClientKeys(k => ...)</c> after <c>AddClientCredentialsToken</c> or <c>AddInteractiveSignIn</c>. Keys that
/// configuration can hold, as JSON Web Keys, go in <see cref="ClientAssertionOptions.Jwk"/> and <see cref="DpopOptions.Jwk"/>
/// instead. The keys are set again whenever the client's options change (a configuration reload), as the options' own
/// configure steps are, so a certificate loaded there is the current one; an <c>IOptionsChangeTokenSource&lt;ClientKeys&gt;</c>
/// under the client's name renews the client when only its keys change. The key material is never logged, and <see cref="ToString"/> redacts it.
/// </remarks>
public sealed class ClientKeys
{
    /// <summary>Gets or sets the private key of the client assertion (<see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>): an <see cref="RsaSecurityKey"/>, <see cref="ECDsaSecurityKey"/>, <see cref="X509SecurityKey"/> or <see cref="JsonWebKey"/>.</summary>
    public SecurityKey? ClientAssertionKey { get; set; }

    /// <summary>Gets or sets a certificate with its private key for the client assertion; the assertion's <c>kid</c> is its thumbprint and <c>x5t</c> is set.</summary>
    public X509Certificate2? ClientAssertionCertificate { get; set; }

    /// <summary>Gets or sets what makes the client assertions when the key cannot leave a vault or HSM, instead of a key.</summary>
    public IClientAssertionFactory? ClientAssertionFactory { get; set; }

    /// <summary>Gets or sets the DPoP private key: an <see cref="RsaSecurityKey"/>, <see cref="ECDsaSecurityKey"/> or <see cref="JsonWebKey"/>.</summary>
    /// <remarks>Without it or <see cref="DpopOptions.Jwk"/>, a P-256 key is generated per client in memory.</remarks>
    public SecurityKey? DpopKey { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ClientKeys {{ ClientAssertionKey = {Redact(ClientAssertionKey)}, ClientAssertionCertificate = {ClientAssertionCertificate?.Thumbprint ?? "(none)"}, " +
        $"ClientAssertionFactory = {ClientAssertionFactory?.GetType().Name ?? "(none)"}, DpopKey = {Redact(DpopKey)} }}";

    private static string Redact(object? value) => value is null ? "(none)" : "[redacted]";
}
