using Microsoft.AspNetCore.DataProtection;

namespace OAuthClient;

/// <summary>The data protector a client's shared tokens are protected with, set in code by <c>UseDistributedTokenCacheProtector</c>.</summary>
internal sealed record DistributedTokenCacheProtector(string ClientName, Func<IServiceProvider, IDataProtector> Create);
