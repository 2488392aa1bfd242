using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var services = new ServiceCollection();
services.AddHttpClient("orders", c => c.BaseAddress = new Uri(configuration["Orders:Api"]!))
        .AddClientCredentialsToken(configuration.GetSection("OAuthClient:Orders"));
using var provider = services.BuildServiceProvider();
var orders = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
Console.WriteLine(await orders.GetStringAsync("whoami"));
