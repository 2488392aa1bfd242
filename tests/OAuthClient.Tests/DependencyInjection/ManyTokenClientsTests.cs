using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.DependencyInjection;

/// <summary>Registering many token clients: constant work per client, the order of configuration, and start-up validation.</summary>
public sealed class ManyTokenClientsTests
{
    [Fact]
    public void AddClientCredentialsTokenClient_ManyClients_AddsNoDescriptorPerClient()
    {
        var services = new ServiceCollection();
        services.AddClientCredentialsTokenClient("tenant-0", TestServices.Defaults);
        services.AddClientCredentialsTokenClient("tenant-1", TestServices.Defaults);
        var afterTwo = services.Count;

        for (var i = 2; i < 1_000; i++)
        {
            services.AddClientCredentialsTokenClient($"tenant-{i}", TestServices.Defaults);
        }

        Assert.Equal(afterTwo, services.Count);
    }

    [Fact]
    public void AddClientCredentialsTokenClient_ConfigureInBetween_RunsInTheOrderGiven()
    {
        var services = new ServiceCollection();
        services.AddClientCredentialsTokenClient("a", TestServices.Defaults);
        services.AddClientCredentialsTokenClient("b", o => { TestServices.Defaults(o); o.Scope = "first"; });
        services.Configure<ClientCredentialsOptions>("b", o => o.Scope += " second");
        services.AddClientCredentialsTokenClient("b", o => o.Scope += " third");
        services.AddClientCredentialsTokenClient("c", o => { TestServices.Defaults(o); o.Scope = "c"; });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>();

        Assert.Equal("first second third", options.Get("b").Scope);
        Assert.Equal("c", options.Get("c").Scope);
        Assert.Equal("orders.read", options.Get("a").Scope);
    }

    [Fact]
    public void AddClientCredentialsTokenClient_AfterKeyedService_Registers()
    {
        var services = new ServiceCollection();
        services.AddClientCredentialsTokenClient("a", TestServices.Defaults);
        services.AddKeyedSingleton("a", new object());
        services.AddClientCredentialsTokenClient("b", o => { TestServices.Defaults(o); o.Scope = "b"; });
        using var provider = services.BuildServiceProvider();

        Assert.Equal("b", provider.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>().Get("b").Scope);
    }

    [Fact]
    public void ValidateOnStart_OneInvalidClientAmongMany_ThrowsItsOptionsError()
    {
        var services = new ServiceCollection();
        for (var i = 0; i < 100; i++)
        {
            services.AddClientCredentialsTokenClient($"tenant-{i}", TestServices.Defaults);
        }

        services.AddClientCredentialsTokenClient("tenant-42", o => o.ClientId = null);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("tenant-42", error.OptionsName);
        Assert.Equal(typeof(ClientCredentialsOptions), error.OptionsType);
    }

    [Fact]
    public void ValidateOnStart_TwoInvalidClients_ThrowsBoth()
    {
        var services = new ServiceCollection();
        services.AddClientCredentialsTokenClient("good", TestServices.Defaults);
        services.AddClientCredentialsTokenClient("bad-1", o => o.ClientId = "x");
        services.AddClientCredentialsTokenClient("bad-2", o => o.ClientId = "y");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            ["bad-1", "bad-2"],
            error.InnerExceptions.Cast<OptionsValidationException>().Select(e => e.OptionsName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetTokenAsync_NameRegisteredAmongMany_IsKnown()
    {
        using var services = new TestServices
        {
            ConfigureServices = s =>
            {
                for (var i = 0; i < 100; i++)
                {
                    s.AddClientCredentialsTokenClient($"tenant-{i}", TestServices.Defaults);
                }
            },
        };

        var token = await services.TokenProvider.GetTokenAsync("tenant-77");
        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => services.TokenProvider.GetTokenAsync("tenant-100").AsTask());

        Assert.Equal("access-token-1", token.Value);
        Assert.Contains("'tenant-100'", unknown.Message, StringComparison.Ordinal);
    }
}
