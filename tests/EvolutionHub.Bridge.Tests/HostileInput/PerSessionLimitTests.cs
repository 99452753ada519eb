using EvolutionHub.Bridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>What one Engine.IO session may hold: namespaces joined, acknowledgements awaited.</summary>
public sealed class PerSessionLimitTests
{
    [Fact]
    public async Task A_connect_beyond_the_namespace_limit_gets_connect_error_and_the_session_lives_on()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxNamespacesPerSession = 2);
        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync("/a");
        await RawEngineIo.SendTextAsync(socket, "40/b,");
        Assert.StartsWith("40/b,{\"sid\"", await RawEngineIo.NextAsync(socket, m => m.StartsWith("40/b,", StringComparison.Ordinal) || m.StartsWith("44/b,", StringComparison.Ordinal)));

        await RawEngineIo.SendTextAsync(socket, "40/c,");
        Assert.Equal("44/c,{\"message\":\"Too many namespaces\"}", await RawEngineIo.NextAsync(socket, m => m.StartsWith("4", StringComparison.Ordinal) && m.Contains("/c,", StringComparison.Ordinal)));

        // Leaving one makes room again.
        await RawEngineIo.SendTextAsync(socket, "41/a,");
        await RawEngineIo.SendTextAsync(socket, "40/c,");
        Assert.StartsWith("40/c,{\"sid\"", await RawEngineIo.NextAsync(socket, m => m.StartsWith("40/c,", StringComparison.Ordinal) || m.StartsWith("44/c,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_event_beyond_the_pending_ack_limit_gets_an_error_ack_at_once_and_is_not_invoked()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxPendingAcks = 2);
        var recorder = server.Services.GetRequiredService<TestHubRecorder>();
        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync("/a");
        await RawEngineIo.SendTextAsync(socket, "42/a,1[\"Hold\",\"one\"]");
        await RawEngineIo.SendTextAsync(socket, "42/a,2[\"Hold\",\"two\"]");
        await RawEngineIo.SendTextAsync(socket, "42/a,3[\"Hold\",\"three\"]");
        Assert.Equal("43/a,3[{\"error\":\"Too many pending acknowledgements\"}]",
            await RawEngineIo.NextAsync(socket, m => m.StartsWith("43/a,", StringComparison.Ordinal), timeoutMs: 2000));

        // An event without an ack id is not an acknowledgement awaited.
        await RawEngineIo.SendTextAsync(socket, "42/a,[\"Hold\",\"no ack\"]");

        recorder.ReleaseHeld.SetResult();
        Assert.Equal("43/a,1[\"one\"]", await RawEngineIo.NextAsync(socket, m => m.StartsWith("43/a,", StringComparison.Ordinal)));
        Assert.Equal("43/a,2[\"two\"]", await RawEngineIo.NextAsync(socket, m => m.StartsWith("43/a,", StringComparison.Ordinal)));

        // Answered acknowledgements no longer count.
        await RawEngineIo.SendTextAsync(socket, "42/a,4[\"Echo\",\"again\"]");
        Assert.Equal("43/a,4[\"again\"]", await RawEngineIo.NextAsync(socket, m => m.StartsWith("43/a,", StringComparison.Ordinal)));
        Assert.Equal(["one", "two", "no ack"], recorder.Held);
    }
}
