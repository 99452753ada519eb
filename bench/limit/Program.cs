using EvolutionHub.Bench.Limit;
using StackExchange.Redis;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var apiKey = Environment.GetEnvironmentVariable("AUTHENTICATION_API_KEY") is { Length: > 0 } key
    ? key
    : throw new InvalidOperationException("AUTHENTICATION_API_KEY is required");
var redisUrl = Environment.GetEnvironmentVariable("REDIS_URL");
var redis = string.IsNullOrEmpty(redisUrl) ? null : await ConnectionMultiplexer.ConnectAsync(redisUrl.Replace("redis://", "", StringComparison.Ordinal));
var namespaces = new Namespaces();
var broadcaster = new Broadcaster(namespaces, redis);
var socketIo = new SocketIoEndpoint(apiKey, namespaces);
var events = new EventsEndpoint(apiKey, broadcaster);

var app = builder.Build();
// Engine.IO pings every socket from one timer: no WebSocket keep-alive timer per socket.
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
app.Map("/socket.io/", socketIo.AcceptAsync);
app.MapPost("/api/events", events.PublishAsync);
app.MapGet("/health/live", () => "Healthy");
_ = socketIo.PingAsync(app.Lifetime.ApplicationStopping);
_ = broadcaster.BroadcastAcceptedAsync(app.Lifetime.ApplicationStopping);
await app.RunAsync();
