namespace EvolutionHub.Internal.Ingest;

/// <summary>An accepted event: its instance, its names and the envelope every client receives.</summary>
/// <param name="AcceptedAt">A <see cref="TimeProvider"/> timestamp, for the fan-out latency.</param>
internal sealed record HubEvent(string Instance, EventName Name, IReadOnlyDictionary<string, object?> Envelope, long AcceptedAt);
