using System.Text.Json.Serialization;

namespace OAuthClient.Desktop;

/// <summary>The file format of <see cref="FileTokenStore"/>, generated at build time.</summary>
[JsonSerializable(typeof(StoredTokens))]
internal sealed partial class StoredTokensJson : JsonSerializerContext;
