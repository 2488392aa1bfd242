using System.Text.Json.Serialization;

namespace OAuthClient.Desktop;

/// <summary>The JSON of store keys, generated at build time (no reflection, trim- and AOT-safe).</summary>
[JsonSerializable(typeof(string[]), TypeInfoPropertyName = "StringArray")]
internal sealed partial class StoreKeyJson : JsonSerializerContext;
