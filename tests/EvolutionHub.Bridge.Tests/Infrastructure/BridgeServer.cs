using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 serving <see cref="TestHub"/> over SignalR and Socket.IO.</summary>
public sealed class BridgeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BridgeServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public const string AllowedOrigin = "https://app.example.com";

    public string Url { get; }

    public IHubContext<TestHub> Hub => _app.Services.GetRequiredService<IHubContext<TestHub>>();

    public IServiceProvider Services => _app.Services;

    public static async Task<BridgeServer> StartAsync(Action<SocketIoOptions>? configure = null, Action<IServiceCollection>? services = null,
        Action<HubOptions>? hub = null, int port = 0, Action<IEndpointRouteBuilder>? endpoints = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            policy.WithOrigins(AllowedOrigin).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
        services?.Invoke(builder.Services);
        builder.Services.AddSingleton<TestHubRecorder>();
        builder.Services.AddSignalR(options =>
        {
            options.EnableDetailedErrors = true;
            hub?.Invoke(options);
        }).AddSocketIo(options =>
        {
            options.FallbackMethod = nameof(TestHub.OnAnyEvent);
            configure?.Invoke(options);
        });

        var app = builder.Build();
        app.UseCors();
        app.UseWebSockets();
        app.MapHub<TestHub>("/hubs/test");
        app.MapSocketIo<TestHub>();
        app.MapEngineIo("/engine.io/", new EchoApplication());
        endpoints?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BridgeServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>A plain Engine.IO application that sends every message back.</summary>
public sealed class EchoApplication : EngineIoApplication
{
    public override ValueTask OnMessageAsync(IEngineIoConnection connection, ReadOnlyMemory<byte> data, bool isBinary)
    {
        connection.Send(data.ToArray(), isBinary);
        return ValueTask.CompletedTask;
    }
}
