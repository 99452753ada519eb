using EvolutionHub.Bridge;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// While Redis is away or refuses writes, refuses new sessions at the handshake — an Engine.IO request without <c>sid</c>, a SignalR
/// negotiate — with 503: the clients' own reconnection then retries until Redis is back. A refusal from inside the
/// connection (CONNECT_ERROR) would not be retried by socket.io-client. Requests of live sessions pass.
/// </summary>
internal sealed class FarmHandshakeGate(RequestDelegate next, RedisFarmConnection redis, IOptions<SocketIoOptions> socketIo)
{
    private readonly PathString _socketIoPath = new(socketIo.Value.Path.TrimEnd('/'));
    private readonly PathString _negotiatePath = new(EvolutionHubApplication.EventsHubPath + "/negotiate");

    public Task InvokeAsync(HttpContext context)
    {
        if (!redis.IsAvailable && IsHandshake(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return Task.CompletedTask;
        }

        return next(context);
    }

    private bool IsHandshake(HttpRequest request) =>
        (request.Path.StartsWithSegments(_socketIoPath) && !request.Query.ContainsKey("sid"))
        || request.Path.StartsWithSegments(_negotiatePath);

    /// <summary>Puts the gate in front of the whole pipeline.</summary>
    public sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<FarmHandshakeGate>();
            next(app);
        };
    }
}
