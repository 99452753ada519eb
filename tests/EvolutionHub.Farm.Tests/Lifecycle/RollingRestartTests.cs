using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using EvolutionHub.Farm.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EvolutionHub.Farm.Tests.Lifecycle;

/// <summary>
/// README "Run a farm": stopping a node (SIGTERM) is a rolling restart. Behind nginx, its clients reconnect to the other node
/// and receive there, and it exits with 0 within 10 s.
/// </summary>
public sealed class RollingRestartTests
{
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task SignalR_clients_with_automatic_reconnect_of_a_stopped_node_reconnect_through_the_balancer_to_the_other(HttpTransportType transport)
    {
        const int Clients = 3;
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        var clients = new List<ReconnectingClient>();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                clients.Add(await ReconnectingClient.StartAsync(balancer.BaseUri, transport, "rolling"));
            }

            // Every client comes from 127.0.0.1, so ip_hash put them all on one node: stop that one.
            var owner = await NodeFailureTests.OwnerAsync(farm, expected: Clients);
            var survivor = farm.Nodes.Single(node => node != owner);
            var stopping = Stopwatch.StartNew();
            var exitCode = await owner.StopAsync(Exit);

            Assert.True(exitCode == 0, $"node {owner.Name} stopped with exit code {exitCode} after {stopping.Elapsed.TotalSeconds:F1} s (137: still running after 10 s)\n{owner.Output}");
            foreach (var client in clients)
            {
                await client.Resubscribed.WithTimeout(TimeSpan.FromSeconds(30), $"a {transport} client to reconnect and subscribe again");
            }

            Assert.Equal(Clients, await survivor.LocalConnectionsAsync());
            await survivor.PublishAsync("rolling", "MESSAGES_UPSERT", new { after = "restart" });
            foreach (var client in clients)
            {
                var (target, envelope) = await client.Events.NextAsync("the event published after the restart", Timeouts.Event);
                Assert.Equal("messages.upsert", target);
                Assert.Equal("restart", envelope.GetProperty("data").GetProperty("after").GetString());
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Events_published_through_the_balancer_while_a_node_stops_each_reach_a_client_of_the_other_once_and_in_order()
    {
        const int BeforeStop = 100;
        const int AfterExit = 100;
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        HubNode owner;
        await using (var probe = await EventRecorder.SubscribeAsync(balancer.BaseUri, HubNode.GlobalKey, "probe"))
        {
            // Every request comes from 127.0.0.1, so ip_hash sends them all to one node: the one the probe reached.
            owner = await NodeFailureTests.OwnerAsync(farm, expected: 1);
        }

        var survivor = farm.Nodes.Single(node => node != owner);
        await using var subscriber = await EventRecorder.SubscribeAsync(survivor.BaseUri, HubNode.GlobalKey, "continuous", "messages.upsert");
        using var publisher = new HttpClient { BaseAddress = balancer.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
        publisher.DefaultRequestHeaders.Add("apikey", HubNode.GlobalKey);

        // One event at a time, each sent once: 202 means the farm took it. A 503 (the stopping node) or a 502 (nginx's request
        // met the node's listener closing) means it did not: had it, the client would receive it, and the comparison fails.
        var accepted = new List<int>();
        var answers = new Dictionary<string, int>();
        var exited = new TaskCompletionSource();
        var acceptedBeforeStop = new TaskCompletionSource();
        var publishing = Task.Run(async () =>
        {
            var acceptedAtExit = -1;
            for (var n = 1; acceptedAtExit < 0 || accepted.Count < acceptedAtExit + AfterExit; n++)
            {
                string answer;
                try
                {
                    using var response = await publisher.PostAsJsonAsync("/api/events", new { @event = "MESSAGES_UPSERT", instance = "continuous", data = new { n } });
                    answer = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        accepted.Add(n);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Assert.True(response.Headers.RetryAfter is not null, "503 without Retry-After");
                    }
                }
                catch (HttpRequestException exception)
                {
                    answer = exception.Message;
                }

                answers[answer] = answers.GetValueOrDefault(answer) + 1;
                if (accepted.Count == BeforeStop)
                {
                    acceptedBeforeStop.TrySetResult();
                }

                if (acceptedAtExit < 0 && exited.Task.IsCompleted)
                {
                    acceptedAtExit = accepted.Count;
                }
            }
        });

        await acceptedBeforeStop.Task.WithTimeout(TimeSpan.FromSeconds(30), $"{BeforeStop} events to be accepted through nginx");
        var stopping = Stopwatch.StartNew();
        var exitCode = await owner.StopAsync(Exit);
        var stopTime = stopping.Elapsed;
        exited.SetResult();
        await publishing.WithTimeout(TimeSpan.FromSeconds(60), $"{AfterExit} more events to be accepted after node {owner.Name} exited");

        Assert.True(exitCode == 0, $"node {owner.Name} stopped with exit code {exitCode} after {stopTime.TotalSeconds:F1} s (137: still running after 10 s)\n{owner.Output}");
        var answered = string.Join(", ", answers.Select(answer => $"{answer.Key}: {answer.Value}"));
        Assert.True(answers.Keys.All(answer => answer is "202" or "503" or "502"), $"the publisher was answered {answered}");
        var received = new List<int>();
        try
        {
            while (received.Count == 0 || received[^1] != accepted[^1])
            {
                var (_, envelope) = await subscriber.NextAsync($"event {accepted[^1]}, the last accepted", Timeouts.Event);
                received.Add(envelope.GetProperty("data").GetProperty("n").GetInt32());
            }
        }
        catch (TimeoutException)
        {
        }

        Assert.True(accepted.SequenceEqual(received), $"{accepted.Count} events accepted ({answered}), node {owner.Name} stopped in {stopTime.TotalSeconds:F1} s; the client of node {survivor.Name} received {received.Count}: "
            + $"missing [{string.Join(", ", accepted.Except(received))}], not accepted [{string.Join(", ", received.Except(accepted))}], twice [{string.Join(", ", received.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))}], in order: {received.SequenceEqual(received.Order())}");
    }

    /// <summary>
    /// A .NET SignalR client with automatic reconnect that subscribes to its instance again after every reconnection
    /// (subscriptions belong to a connection).
    /// </summary>
    private sealed class ReconnectingClient : IAsyncDisposable
    {
        private readonly TaskCompletionSource _resubscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private ReconnectingClient(HubConnection connection, string instance)
        {
            Events = new EventRecorder(connection, "messages.upsert");
            connection.Reconnected += async _ =>
            {
                await connection.InvokeAsync("Subscribe", instance);
                _resubscribed.TrySetResult();
            };
            connection.Closed += exception =>
            {
                _resubscribed.TrySetException(new InvalidOperationException($"the connection closed instead of reconnecting: {exception?.Message ?? "a close without error"}"));
                return Task.CompletedTask;
            };
        }

        public EventRecorder Events { get; }

        public Task Resubscribed => _resubscribed.Task;

        public static async Task<ReconnectingClient> StartAsync(Uri hub, HttpTransportType transport, string instance)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(hub, "/hubs/events"), options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(HubNode.GlobalKey);
                    options.Transports = transport;
                })
                // The default: retries at once, then after 2, 10 and 30 s.
                .WithAutomaticReconnect()
                .Build();
            var client = new ReconnectingClient(connection, instance);
            try
            {
                await connection.StartAsync().WithTimeout(TimeSpan.FromSeconds(10), $"SignalR ({transport}) to connect through {hub}");
                await connection.InvokeAsync("Subscribe", instance).WithTimeout(TimeSpan.FromSeconds(10), $"Subscribe({instance})");
                return client;
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }

        public ValueTask DisposeAsync() => Events.Connection.DisposeAsync();
    }
}
