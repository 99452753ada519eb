// The reference configuration of the official Socket.IO and Engine.IO protocol test suites:
//   dotnet run --project samples/ConformanceServer -- --urls http://127.0.0.1:3000
using System.Text.Json;
using EvolutionHub.Bridge;
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddCors();
builder.Services.AddSingleton<ISocketIoConnectHandler, KnownNamespaces>();
builder.Services.AddSignalR().AddSocketIo(options =>
{
    options.PingInterval = 300;
    options.PingTimeout = 200;
    options.MaxPayload = 1_000_000;
    options.ConnectTimeout = 1000;
    options.FallbackMethod = nameof(ConformanceHub.OnEvent);
});

var app = builder.Build();
app.UseCors(cors => cors.SetIsOriginAllowed(_ => true).AllowCredentials().AllowAnyHeader().AllowAnyMethod());
app.UseWebSockets();
app.MapSocketIo<ConformanceHub>("/socket.io/");
app.MapEngineIo("/engine.io/", new EchoApplication());
app.Run();

/// <summary>On every namespace: emits <c>auth</c> with the handshake's auth; echoes <c>message</c>; acks <c>message-with-ack</c>.</summary>
internal sealed class ConformanceHub(IHubContext<ConformanceHub> hubContext) : Hub
{
    private static readonly TimeSpan AuthDelay = TimeSpan.FromMilliseconds(20);

    public override Task OnConnectedAsync()
    {
        var auth = Context.Features.Get<ISocketIoFeature>()?.Auth ?? JsonDocument.Parse("{}").RootElement;
        var caller = hubContext.Clients.Client(Context.ConnectionId);

        // The suite reads the CONNECT answer and then waits for `auth`; when both frames land in one TCP read its
        // WebSocket drops the second before it listens again. A short gap keeps them apart.
        _ = Task.Delay(AuthDelay).ContinueWith(_ => caller.SendAsync("auth", auth), TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async Task<object?> OnEvent(string eventName, object?[] arguments)
    {
        switch (eventName)
        {
            case "message":
                await Clients.Caller.SendCoreAsync("message-back", arguments);
                return null;
            case "message-with-ack":
                return new SocketIoArguments(arguments);
            default:
                return null;
        }
    }
}

/// <summary>The suites' server has two namespaces, <c>/</c> and <c>/custom</c>.</summary>
internal sealed class KnownNamespaces : ISocketIoConnectHandler
{
    public ValueTask<SocketIoConnectResult> OnConnectAsync(SocketIoConnectContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Namespace is "/" or "/custom" ? SocketIoConnectResult.Accept() : SocketIoConnectResult.Reject("Invalid namespace"));
}

/// <summary>A plain Engine.IO server that sends every message back.</summary>
internal sealed class EchoApplication : EngineIoApplication
{
    public override ValueTask OnMessageAsync(IEngineIoConnection connection, ReadOnlyMemory<byte> data, bool isBinary)
    {
        connection.Send(data.ToArray(), isBinary);
        return ValueTask.CompletedTask;
    }
}
