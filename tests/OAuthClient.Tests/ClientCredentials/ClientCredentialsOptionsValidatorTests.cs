using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.ClientCredentials;

public sealed class ClientCredentialsOptionsValidatorTests
{
    [Fact]
    public void Validate_NoTokenEndpoint_NamesClientAndSettings()
    {
        var error = ValidationError(o => o.TokenEndpoint = null);

        var message = Assert.Single(error.Failures);
        Assert.Contains("'orders'", message, StringComparison.Ordinal);
        Assert.Contains("Authority", message, StringComparison.Ordinal);
        Assert.Contains("TokenEndpoint", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllAtOnce()
    {
        var error = ValidationError(o =>
        {
            o.ClientId = " ";
            o.ClientSecret = null;
            o.RefreshBeforeExpiry = TimeSpan.FromSeconds(-1);
            o.TokenRequestRetries = 11;
        });

        Assert.Equal(4, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("ClientId", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ClientSecret", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RefreshBeforeExpiry", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("TokenRequestRetries", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TokenRequestTimeoutOverAnHour_Refused()
    {
        var error = ValidationError(o => o.TokenRequestTimeout = TimeSpan.FromDays(60));

        Assert.Contains("TokenRequestTimeout", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AuthorityAndTokenEndpointBoth_Refused()
    {
        var error = ValidationError(o => o.Authority = TokenEndpointStub.Authority);

        Assert.Contains("not both", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PlainHttpTokenEndpoint_RefusedUnlessLoopbackOrOptedOut()
    {
        var remote = ValidationError(o => o.TokenEndpoint = new Uri("http://login.example.com/token"));
        var loopback = Record.Exception(() => ValidateOnStart(o => o.TokenEndpoint = new Uri("http://127.0.0.1:5000/token")));
        var optedOut = Record.Exception(() => ValidateOnStart(o =>
        {
            o.TokenEndpoint = new Uri("http://login.example.com/token");
            o.RequireHttps = false;
        }));

        Assert.Contains("HTTPS", Assert.Single(remote.Failures), StringComparison.Ordinal);
        Assert.Null(loopback);
        Assert.Null(optedOut);
    }

    [Theory]
    [InlineData("client_secret")]
    [InlineData("grant_type")]
    [InlineData("scope")]
    public void Validate_ParameterThatHasItsOwnOption_Refused(string parameter)
    {
        var error = ValidationError(o => o.Parameters[parameter] = "x");

        Assert.Contains($"'{parameter}'", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RelativeApiOrigin_Refused()
    {
        var error = ValidationError(o => o.ApiOrigins.Add(new Uri("/orders", UriKind.Relative)));

        Assert.Contains("ApiOrigins", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Failure_NeverShowsTheSecret()
    {
        var error = ValidationError(o => o.ClientId = null);

        Assert.DoesNotContain(TestServices.ClientSecret, error.Message, StringComparison.Ordinal);
        Assert.All(error.Failures, f => Assert.DoesNotContain(TestServices.ClientSecret, f, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ValidOptions_Passes()
    {
        Assert.Null(Record.Exception(() => ValidateOnStart(_ => { })));
    }

    [Fact]
    public async Task GetTokenAsync_InvalidOptions_ThrowsOptionsValidationExceptionWithoutRequest()
    {
        using var services = new TestServices { Configure = o => o.ClientId = null };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask());

        Assert.Equal(TestServices.ClientName, error.OptionsName);
        Assert.Equal(0, services.TokenEndpoint.RequestCount);
    }

    private static OptionsValidationException ValidationError(Action<ClientCredentialsOptions> change) =>
        Assert.Throws<OptionsValidationException>(() => ValidateOnStart(change));

    /// <summary>Runs the start-up validation that a host runs.</summary>
    private static void ValidateOnStart(Action<ClientCredentialsOptions> change)
    {
        using var services = new TestServices { Configure = change };
        services.Services.GetRequiredService<IStartupValidator>().Validate();
    }
}
