using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Internal;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.ClientAssertions;

public sealed class ClientAssertionValidationTests
{
    [Fact]
    public void Validate_PrivateKeyJwtWithoutKey_NamesClientAndSetting()
    {
        var failure = Assert.Single(Validate());

        Assert.Contains("'orders'", failure, StringComparison.Ordinal);
        Assert.Contains("ClientAssertion", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrivateKeyJwtWithoutKey_NamesEveryWayToSetOneAndWhereKeysInCodeGo()
    {
        // A client bound from configuration learns there that its key object or factory is set in code, and how.
        var failure = Assert.Single(Validate());

        Assert.Contains("ClientAssertion.Jwk", failure, StringComparison.Ordinal);
        Assert.Contains("ClientKeys.ClientAssertionKey", failure, StringComparison.Ordinal);
        Assert.Contains("ClientKeys.ClientAssertionCertificate", failure, StringComparison.Ordinal);
        Assert.Contains("ClientKeys.ClientAssertionFactory", failure, StringComparison.Ordinal);
        Assert.Contains("ConfigureClientKeys", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrivateKeyJwtWithKeyAndNoSecret_Succeeds()
    {
        using var rsa = TestKeys.Rsa();

        Assert.Empty(Validate(o => o.ClientAssertion.Jwk = TestKeys.PrivateJwk(rsa)));
    }

    [Fact]
    public void Validate_Es256WithRsaKey_ReportsMismatch()
    {
        using var rsa = TestKeys.Rsa();

        var failure = Assert.Single(Validate(o => o.ClientAssertion.Algorithm = "ES256", k => k.ClientAssertionKey = new RsaSecurityKey(rsa)));

        Assert.Contains("ClientAssertion.Algorithm ES256 does not fit an RSA key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Rs256WithEcKey_ReportsMismatch()
    {
        using var ecdsa = TestKeys.EcP256();

        var failure = Assert.Single(Validate(o =>
        {
            o.ClientAssertion.Jwk = TestKeys.PrivateJwk(ecdsa);
            o.ClientAssertion.Algorithm = "RS256";
        }));

        Assert.Contains("does not fit an EC key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PublicJwkOnly_ReportsNoPrivateKey()
    {
        using var rsa = TestKeys.Rsa();
        var publicJwk = TestKeys.PublicJwk(rsa);

        var failure = Assert.Single(Validate(o => o.ClientAssertion.Jwk = publicJwk));

        Assert.Contains("no RSA private key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MalformedJwk_MessageHoldsNoKeyMaterial()
    {
        const string Broken = """{"kty":"RSA","d":"c2VjcmV0LXByaXZhdGUtZXhwb25lbnQ","n": """;

        var failure = Assert.Single(Validate(o => o.ClientAssertion.Jwk = Broken));

        Assert.Contains("ClientAssertion.Jwk is not a JSON Web Key", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_JwkParameterNotBase64Url_ReportedWithoutKeyMaterial()
    {
        const string Broken = """{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA","d":"s3cret*private*scalar"}""";

        var failure = Assert.Single(Validate(o => o.ClientAssertion.Jwk = Broken));

        Assert.Contains("ClientAssertion", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SmallRsaKey_Refused()
    {
        using var rsa = RSA.Create(1024);

        Assert.Contains("at least 2048 bits", Assert.Single(Validate(keys: k => k.ClientAssertionKey = new RsaSecurityKey(rsa))), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyAndFactory_Refused()
    {
        using var rsa = TestKeys.Rsa();

        var failures = Validate(keys: k =>
        {
            k.ClientAssertionKey = new RsaSecurityKey(rsa);
            k.ClientAssertionFactory = new NoFactory();
        });

        Assert.Contains("not both", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IssuerAudienceWithoutAuthority_Refused()
    {
        using var rsa = TestKeys.Rsa();

        var failure = Assert.Single(Validate(o => o.ClientAssertion.Audience = ClientAssertionAudience.Issuer, k => k.ClientAssertionKey = new RsaSecurityKey(rsa)));

        Assert.Contains("Audience = Issuer needs Authority", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DpopRsaAlgorithmWithEcKey_ReportsMismatch()
    {
        using var ecdsa = TestKeys.EcP256();

        var failure = Assert.Single(ValidateDpop(o => o.Dpop.Algorithm = "PS256", k => k.DpopKey = new ECDsaSecurityKey(ecdsa)));

        Assert.Contains("Dpop.Algorithm PS256 does not fit an EC key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DpopGeneratedKeyWithRsaAlgorithm_Refused()
    {
        Assert.Contains("Dpop.Algorithm must be ES256", Assert.Single(ValidateDpop(o => o.Dpop.Algorithm = "RS256")), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_KeysSet_Redacted()
    {
        using var rsa = TestKeys.Rsa();
        using var ecdsa = TestKeys.EcP256();
        var jwk = TestKeys.PrivateJwk(rsa);
        var dpopJwk = TestKeys.PrivateJwk(ecdsa);
        var options = new ClientCredentialsOptions { ClientAssertion = { Jwk = jwk }, Dpop = { Enabled = true, Jwk = dpopJwk } };

        var text = options.ToString();

        Assert.Contains("Jwk = [redacted]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(new Microsoft.IdentityModel.Tokens.JsonWebKey(jwk).D, text, StringComparison.Ordinal);
        Assert.DoesNotContain(new Microsoft.IdentityModel.Tokens.JsonWebKey(dpopJwk).D, text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ClientKeysSet_RedactsKeysAndNamesOnlyTheCertificateThumbprintAndFactoryType()
    {
        using var rsa = TestKeys.Rsa();
        using var ecdsa = TestKeys.EcP256();
        using var certificate = TestKeys.Certificate(rsa);
        var keys = new ClientKeys
        {
            ClientAssertionKey = new RsaSecurityKey(rsa),
            ClientAssertionCertificate = certificate,
            ClientAssertionFactory = new NoFactory(),
            DpopKey = new ECDsaSecurityKey(ecdsa),
        };

        var text = keys.ToString();

        Assert.Equal(
            $"ClientKeys {{ ClientAssertionKey = [redacted], ClientAssertionCertificate = {certificate.Thumbprint}, ClientAssertionFactory = NoFactory, DpopKey = [redacted] }}",
            text);
    }

    private static IReadOnlyList<string> Validate(Action<ClientCredentialsOptions>? configure = null, Action<ClientKeys>? keys = null)
    {
        var options = new ClientCredentialsOptions
        {
            TokenEndpoint = TokenEndpointStub.Endpoint,
            ClientId = TestServices.ClientId,
            ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt,
        };
        configure?.Invoke(options);
        var clientKeys = new ClientKeys();
        keys?.Invoke(clientKeys);
        var result = new ClientCredentialsOptionsValidator(new FixedOptionsMonitor<ClientKeys>(clientKeys)).Validate(TestServices.ClientName, options);
        return result.Failed ? [.. result.Failures] : [];
    }

    private static IReadOnlyList<string> ValidateDpop(Action<ClientCredentialsOptions> configure, Action<ClientKeys>? keys = null) => Validate(o =>
    {
        o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretBasic;
        o.ClientSecret = TestServices.ClientSecret;
        o.Dpop.Enabled = true;
        configure(o);
    }, keys);

    private sealed class NoFactory : IClientAssertionFactory
    {
        public ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken) => new("x");
    }
}
