namespace OAuthClient.Internal;

/// <summary>
/// The validation rules every flow's options share: endpoints, API origins, timings, client assertions and DPoP.
/// Each flow's validator calls these and adds only its own rules, so a rule is written (and worded) once.
/// </summary>
internal static class OptionsRules
{
    /// <summary>Checks an endpoint setting: an absolute http(s) URI, and HTTPS (or loopback) unless HTTPS is not required.</summary>
    public static void Endpoint(string setting, Uri? endpoint, bool requireHttps, string client, List<string> failures)
    {
        if (endpoint is null)
        {
            return;
        }

        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{client}: {setting} must be an absolute http or https URI.");
        }
        else if (requireHttps && !Transport.IsSecure(endpoint))
        {
            failures.Add($"{client}: {setting} must use HTTPS (plain HTTP is allowed only to loopback, or with RequireHttps = false).");
        }
    }

    /// <summary>Checks that every API origin is an absolute http or https URI.</summary>
    public static void ApiOrigins(IEnumerable<Uri?> origins, string client, List<string> failures)
    {
        foreach (var origin in origins)
        {
            if (origin is null || !origin.IsAbsoluteUri || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{client}: ApiOrigins must hold absolute http or https URIs ('{origin}' is not).");
            }
        }
    }

    /// <summary>Checks the timings of token requests and token lifetimes that every flow has.</summary>
    public static void Timings(TimeSpan tokenRequestTimeout, TimeSpan defaultTokenLifetime, TimeSpan refreshBeforeExpiry, string client, List<string> failures)
    {
        Positive("DefaultTokenLifetime", defaultTokenLifetime, client, failures);
        Positive("TokenRequestTimeout", tokenRequestTimeout, client, failures);
        if (tokenRequestTimeout > ProtocolDefaults.MaxTokenRequestTimeout)
        {
            // Longer would mean nothing to a caller waiting for a token, and overflows timers past 49 days.
            failures.Add($"{client}: TokenRequestTimeout must be at most one hour.");
        }

        if (refreshBeforeExpiry < TimeSpan.Zero)
        {
            failures.Add($"{client}: RefreshBeforeExpiry must not be negative.");
        }
    }

    /// <summary>Checks that <paramref name="value"/> is greater than zero.</summary>
    public static void Positive(string setting, TimeSpan value, string client, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{client}: {setting} must be greater than zero.");
        }
    }

    /// <summary>Checks the client assertion settings of <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>.</summary>
    /// <param name="assertion">The assertion settings.</param>
    /// <param name="keys">The client's key objects, set in code.</param>
    /// <param name="knowsIssuer">Whether the issuer can be known (an authority, or a configured issuer), for <see cref="ClientAssertionAudience.Issuer"/>.</param>
    /// <param name="client">How failures name the client.</param>
    /// <param name="failures">Where failures go.</param>
    public static void ClientAssertion(ClientAssertionOptions assertion, ClientKeys keys, bool knowsIssuer, string client, List<string> failures)
    {
        if (keys.ClientAssertionFactory is not null)
        {
            if (assertion.Jwk is not null || keys.ClientAssertionKey is not null || keys.ClientAssertionCertificate is not null)
            {
                failures.Add($"{client}: set ClientKeys.ClientAssertionFactory or a client assertion key, not both.");
            }
        }
        else if (SigningKey.TryCreate(
            assertion.Jwk, keys.ClientAssertionKey, keys.ClientAssertionCertificate, assertion.Algorithm, "ClientAssertion", withKeyId: true, out var problem) is null)
        {
            failures.Add($"{client}: {problem}");
        }

        if (assertion.Lifetime <= TimeSpan.Zero || assertion.Lifetime > ClientAssertionDefaults.MaxLifetime)
        {
            failures.Add($"{client}: ClientAssertion.Lifetime must be greater than zero and at most {ClientAssertionDefaults.MaxLifetime}.");
        }

        if (!Enum.IsDefined(assertion.Audience))
        {
            failures.Add($"{client}: ClientAssertion.Audience must be TokenEndpoint or Issuer.");
        }
        else if (assertion.Audience == ClientAssertionAudience.Issuer && !knowsIssuer)
        {
            failures.Add($"{client}: ClientAssertion.Audience = Issuer needs Authority, whose discovery document names the issuer.");
        }
    }

    /// <summary>Checks enabled DPoP settings, with the DPoP key of <paramref name="keys"/>.</summary>
    public static void Dpop(DpopOptions dpop, ClientKeys keys, string client, List<string> failures)
    {
        if (!dpop.Enabled)
        {
            return;
        }

        if (dpop.Jwk is null && keys.DpopKey is null)
        {
            if (dpop.Algorithm is not null && dpop.Algorithm != SigningKey.ES256)
            {
                failures.Add($"{client}: Dpop.Algorithm must be ES256 for the generated key; supply an RSA key in Dpop.Jwk or ClientKeys.DpopKey for {dpop.Algorithm}.");
            }
        }
        else if (SigningKey.TryCreate(dpop.Jwk, keys.DpopKey, certificate: null, dpop.Algorithm, "Dpop", withKeyId: false, out var problem) is null)
        {
            failures.Add($"{client}: {problem}");
        }
    }
}
