using System.Text;
using Grpc.Core;

namespace OAuthClient.IntegrationTests.Grpc;

/// <summary>
/// A gRPC service of four methods, one per call type, with UTF-8 string messages: written by hand the way protoc's
/// generated code is, so the tests need no code generation.
/// </summary>
public static class Echo
{
    private const string ServiceName = "oauthclient.tests.Echo";

    private static readonly Marshaller<string> Text = Marshallers.Create(s => Encoding.UTF8.GetBytes(s), b => Encoding.UTF8.GetString(b));

    public static readonly Method<string, string> Unary = new(MethodType.Unary, ServiceName, "Unary", Text, Text);

    public static readonly Method<string, string> ServerStream = new(MethodType.ServerStreaming, ServiceName, "ServerStream", Text, Text);

    public static readonly Method<string, string> ClientStream = new(MethodType.ClientStreaming, ServiceName, "ClientStream", Text, Text);

    public static readonly Method<string, string> Duplex = new(MethodType.DuplexStreaming, ServiceName, "Duplex", Text, Text);

    /// <summary>The server side; Grpc.AspNetCore finds <see cref="BindService"/> through the attribute, and each handler by the
    /// method's gRPC name, so the handlers carry those names (no Async suffix), as generated code does.</summary>
    [BindServiceMethod(typeof(ServiceBase), nameof(BindService))]
    public abstract class ServiceBase
    {
        public abstract Task<string> Unary(string request, ServerCallContext context);

        public abstract Task ServerStream(string request, IServerStreamWriter<string> responses, ServerCallContext context);

        public abstract Task<string> ClientStream(IAsyncStreamReader<string> requests, ServerCallContext context);

        public abstract Task Duplex(IAsyncStreamReader<string> requests, IServerStreamWriter<string> responses, ServerCallContext context);

        public static void BindService(ServiceBinderBase binder, ServiceBase service)
        {
            binder.AddMethod(Echo.Unary, service is null ? null : new UnaryServerMethod<string, string>(service.Unary));
            binder.AddMethod(Echo.ServerStream, service is null ? null : new ServerStreamingServerMethod<string, string>(service.ServerStream));
            binder.AddMethod(Echo.ClientStream, service is null ? null : new ClientStreamingServerMethod<string, string>(service.ClientStream));
            binder.AddMethod(Echo.Duplex, service is null ? null : new DuplexStreamingServerMethod<string, string>(service.Duplex));
        }
    }

    /// <summary>The client, as a generated one would be; <c>AddGrpcClient&lt;Client&gt;</c> makes it.</summary>
    public sealed class Client : ClientBase<Client>
    {
        public Client(CallInvoker callInvoker)
            : base(callInvoker)
        {
        }

        private Client(ClientBaseConfiguration configuration)
            : base(configuration)
        {
        }

        public AsyncUnaryCall<string> UnaryAsync(string request, CallOptions options) =>
            CallInvoker.AsyncUnaryCall(Echo.Unary, null, options, request);

        public AsyncServerStreamingCall<string> ServerStream(string request, CallOptions options) =>
            CallInvoker.AsyncServerStreamingCall(Echo.ServerStream, null, options, request);

        public AsyncClientStreamingCall<string, string> ClientStream(CallOptions options) =>
            CallInvoker.AsyncClientStreamingCall(Echo.ClientStream, null, options);

        public AsyncDuplexStreamingCall<string, string> Duplex(CallOptions options) =>
            CallInvoker.AsyncDuplexStreamingCall(Echo.Duplex, null, options);

        protected override Client NewInstance(ClientBaseConfiguration configuration) => new(configuration);
    }
}
