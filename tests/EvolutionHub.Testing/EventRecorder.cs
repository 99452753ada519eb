using System.Text.Json;
using System.Threading.Channels;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Hub.Tests;

/// <summary>Collects the events a SignalR connection receives, whatever its protocol, as (target, envelope JSON).</summary>
public sealed class EventRecorder
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly Channel<(string Target, JsonElement Envelope)> _received = Channel.CreateUnbounded<(string, JsonElement)>();

    public EventRecorder(HubConnection connection, params string[] targets)
    {
        foreach (var target in targets)
        {
            connection.On<object>(target, envelope => _received.Writer.TryWrite((target, PlainJson.ToElement(envelope))));
        }
    }

    public async Task<(string Target, JsonElement Envelope)> NextAsync(string what = "the next event") =>
        await _received.Reader.ReadAsync().AsTask().WithTimeout(Wait, what);

    public async Task<JsonElement> NextEnvelopeAsync(string expectedTarget)
    {
        var (target, envelope) = await NextAsync($"an event '{expectedTarget}'");
        Assert.Equal(expectedTarget, target);
        return envelope;
    }
}
