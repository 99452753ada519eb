using EvolutionHub.Bench.Limit;
using StackExchange.Redis;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var apiKey = Environment.GetEnvironmentVariable("AUTHENTICATION_API_KEY") is { Length: > 0 } key
    ? key
    : throw new InvalidOperationException("AUTHENTICATION_API_KEY is required");
var redisUrl = Environment.GetEnvironmentVariable("REDIS_URL");
var redis = string.IsNullOrEmpty(redisUrl) ? null : await ConnectionMultiplexer.ConnectAsync(redisUrl.Replace("redis://", "", StringComparison.Ordinal));
var broadcaster = new Broadcaster(apiKey, redis);

var app = builder.Build();
app.UseWebSockets();
app.Map("/socket.io/", broadcaster.AcceptAsync);
app.MapPost("/api/events", broadcaster.PublishAsync);
app.MapGet("/health/live", () => "Healthy");
_ = broadcaster.PingAsync(app.Lifetime.ApplicationStopping);
_ = broadcaster.BroadcastAcceptedAsync(app.Lifetime.ApplicationStopping);
await app.RunAsync();
