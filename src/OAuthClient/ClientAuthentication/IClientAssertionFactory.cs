namespace OAuthClient;

/// <summary>Makes the signed JWT a client authenticates with, for keys held in a vault or HSM that signs on the client's behalf.</summary>
/// <remarks>
/// Called once per token request attempt, retries included: return a new assertion each time, with a unique <c>jti</c>.
/// Implementations must be thread-safe.
/// </remarks>
public interface IClientAssertionFactory
{
    /// <summary>Creates a client assertion (RFC 7523) for one token request.</summary>
    /// <param name="context">Who the assertion is for: the client id (<c>iss</c> and <c>sub</c>) and the audience (<c>aud</c>).</param>
    /// <param name="cancellationToken">Stops the work when the token request is abandoned.</param>
    /// <returns>The compact JWT, sent as <c>client_assertion</c>.</returns>
    ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken);
}
