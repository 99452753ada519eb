using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Bridge.Tests;

/// <summary>
/// samples/SignalRChat, built by ./test.sh against the packed EvolutionHub.Bridge package from a local folder feed, run
/// as its own process: socket.io-client and a .NET SignalR client share its plain SignalR hub.
/// </summary>
public sealed class PackagedSampleTests
{
    [Fact]
    public async Task Socket_IO_and_SignalR_clients_chat_through_the_sample_built_from_the_package()
    {
        await using var sample = await SampleProcess.StartAsync();
        var received = new TaskCompletionSource<(string User, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var signalR = new HubConnectionBuilder().WithUrl(new Uri(sample.BaseUri, "/hubs/chat")).Build();
        signalR.On<string, string>("message", (user, message) => received.TrySetResult((user, message)));
        await signalR.StartAsync();

        var result = await NodeScript.RunAsync("bridge/sample-chat.mjs", TimeSpan.FromSeconds(30), sample.BaseUri.ToString(), "ana", "hello");

        Assert.Equal("[5]", result.GetProperty("ack").GetRawText());
        Assert.Equal(["ana", "hello"], result.GetProperty("message").EnumerateArray().Select(argument => argument.GetString()));
        Assert.Equal("websocket", result.GetProperty("transport").GetString());
        Assert.Equal(("ana", "hello"), await received.Task.WithTimeout(TimeSpan.FromSeconds(10), "the Socket.IO client's message at the SignalR client"));
    }
}
