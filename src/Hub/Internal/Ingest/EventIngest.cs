using System.Text.Json;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Dispatch;
using EvolutionHub.Internal.HttpApi;

namespace EvolutionHub.Internal.Ingest;

/// <summary>
/// The one way in for published events (<c>POST /api/events</c>, <c>POST /webhook</c>, SignalR <c>Publish</c>): reads the
/// envelopes of a parsed body, checks each is of an instance its publisher may publish to, and hands the events to the
/// dispatcher, all or none. The instance's filter is the fan-out's to apply, not this.
/// </summary>
internal sealed class EventIngest(HubEventFactory factory, IEventDispatcher dispatcher)
{
    /// <param name="body">
    /// One envelope, or an array of them when <see cref="IngestRequest.AcceptsArray"/>. Its events refer to its elements rather
    /// than copies: the document it belongs to must not be disposed.
    /// </param>
    public async ValueTask<IngestResult> PublishAsync(JsonElement body, IngestRequest request, CancellationToken cancellationToken)
    {
        var isArray = request.AcceptsArray && body.ValueKind == JsonValueKind.Array;
        JsonElement[] items = isArray ? [.. body.EnumerateArray()] : [body];
        var events = new List<HubEvent>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            if (!IncomingEvent.TryRead(items[i], request.DefaultEvent, out var incoming, out var problem))
            {
                return IngestResult.Invalid(isArray ? $"Envelope {i}: {problem} Nothing was published." : problem);
            }

            if (!request.Publisher.Allows(incoming.Instance))
            {
                return IngestResult.Forbidden;
            }

            events.Add(factory.Create(incoming));
        }

        await dispatcher.AcceptAsync(events, cancellationToken);
        return IngestResult.Accepted(events.Count);
    }
}

/// <summary>Who publishes, and what their body may hold.</summary>
/// <param name="Publisher">The credential that authorized the request: each event must be of an instance it allows.</param>
/// <param name="DefaultEvent">The event's name when an envelope has no <c>event</c> (a webhook's slug).</param>
/// <param name="AcceptsArray">An array of envelopes is a batch (<c>/api/events</c>) rather than an error.</param>
internal readonly record struct IngestRequest(Credential Publisher, string? DefaultEvent = null, bool AcceptsArray = false);

internal enum IngestOutcome
{
    Accepted,

    /// <summary>An envelope is not one: nothing was published.</summary>
    Invalid,

    /// <summary>An envelope is of an instance its publisher may not publish to: nothing was published.</summary>
    Forbidden,
}

internal readonly record struct IngestResult(IngestOutcome Outcome, int Count, string? Problem)
{
    public static IngestResult Forbidden { get; } = new(IngestOutcome.Forbidden, 0, null);

    public static IngestResult Accepted(int count) => new(IngestOutcome.Accepted, count, null);

    public static IngestResult Invalid(string problem) => new(IngestOutcome.Invalid, 0, problem);

    /// <summary>The HTTP answer: 202 with the count, 400 or 403 with a problem.</summary>
    public IResult ToHttpResult() => Outcome switch
    {
        IngestOutcome.Accepted => Results.Json(new { accepted = Count }, statusCode: StatusCodes.Status202Accepted),
        IngestOutcome.Invalid => Problems.BadRequest(Problem!),
        _ => Problems.Forbidden(),
    };
}
