using EvolutionHub.Internal.HttpApi;

namespace EvolutionHub.Internal.Lifetime;

/// <summary>
/// From the moment the node is told to stop until its server stops listening, refuses the requests that would start work
/// it is about to drop — publishes (<c>POST /api/events</c>, <c>/webhook</c>) and new SignalR connections (a negotiate, or
/// a connection without one) — with 503 and <c>Retry-After</c>: the publisher, the balancer or the client's own
/// reconnection tries again, and reaches another node. Socket.IO handshakes are refused by the bridge itself.
/// </summary>
internal sealed class StoppingNodeGate(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    private static readonly PathString EventsHubPath = new(EvolutionHubApplication.EventsHubPath);

    public Task InvokeAsync(HttpContext context) =>
        lifetime.ApplicationStopping.IsCancellationRequested && StartsWork(context.Request)
            ? Problems.Stopping(context).ExecuteAsync(context)
            : next(context);

    private static bool StartsWork(HttpRequest request)
    {
        if (request.Path.StartsWithSegments(EventsHubPath, out var rest))
        {
            // A request carrying an id belongs to a connection already made (whose end is the stop's business).
            return rest == "/negotiate" || (!rest.HasValue && !request.Query.ContainsKey("id"));
        }

        return HttpMethods.IsPost(request.Method)
            && (request.Path.Equals("/api/events", StringComparison.OrdinalIgnoreCase) || request.Path.StartsWithSegments("/webhook", StringComparison.OrdinalIgnoreCase));
    }
}
