namespace OAuthClient;

/// <summary>Configures DPoP (RFC 9449): tokens bound to a key of the client's, proven with a signed proof on each request.</summary>
/// <remarks>
/// Off by default. When on, the token request carries a <c>DPoP</c> proof, the server must answer <c>token_type</c> DPoP
/// (a Bearer answer fails the request), and each API request carries <c>Authorization: DPoP</c> with a fresh proof.
/// Without <see cref="Jwk"/> or <see cref="ClientKeys.DpopKey"/> a P-256 key is generated per client in memory. Redirects of
/// DPoP requests are followed by the handler and carry neither the token nor a proof.
/// </remarks>
public sealed class DpopOptions
{
    /// <summary>The defaults (off), for options that set none; never changed.</summary>
    internal static readonly DpopOptions Unset = new();

    /// <summary>Gets or sets whether the client asks for DPoP-bound tokens.</summary>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the DPoP private key as a JSON Web Key (RSA or EC P-256); a key is generated when neither this nor <see cref="ClientKeys.DpopKey"/> is set.</summary>
    public string? Jwk { get; set; }

    /// <summary>Gets or sets the proof signing algorithm: <c>ES256</c> (the default), or <c>PS256</c>/<c>RS256</c> for an RSA key.</summary>
    public string? Algorithm { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"DpopOptions {{ Enabled = {Enabled}, Jwk = {(Jwk is null ? "(none)" : "[redacted]")}, Algorithm = {Algorithm} }}";
}
