namespace OAuthClient.Internal;

/// <summary>Names, from a flow's options, the HttpClients that carry that flow's token traffic.</summary>
internal interface IBackchannelNameSource
{
    IEnumerable<string> Names();
}
