namespace OAuthClient.Internal;

/// <summary>
/// Wraps the token source of a client, between the in-process cache and the token endpoint: the seam an add-on
/// package (such as the shared distributed cache) registers in DI. Applied once per version of a client's options.
/// </summary>
internal interface ITokenSourceDecorator
{
    /// <summary>Returns <paramref name="source"/> itself, or a source with the same <see cref="ITokenSource.Key"/> that wraps it.</summary>
    /// <param name="clientName">The name of the client whose source this is.</param>
    /// <param name="sharedKey">
    /// Identifies the token across processes: like <see cref="ITokenSource.Key"/> but without its per-process parts.
    /// It names no secret, yet may carry extra parameters: hash it before it leaves the process.
    /// </param>
    /// <param name="source">The source that asks the token endpoint.</param>
    ITokenSource Decorate(string clientName, string sharedKey, ITokenSource source);
}
