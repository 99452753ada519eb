using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using EvolutionHub.Farm.Tests.Infrastructure;
using EvolutionHub.Farm.Tests.Lifecycle;

namespace EvolutionHub.Farm.Tests;

/// <summary>
/// nginx in front of the farm with the shipped configurations. Long-polling with <c>ip_hash</c>: every request of an
/// Engine.IO session must reach the node that holds it; the events come from the other node, so what is received crossed
/// the backplane too. The configurations pass the hub's largest body and outwait its longest silence.
/// </summary>
public sealed partial class BalancerTests
{
    [Fact]
    public async Task SocketIo_clients_through_nginx_poll_then_upgrade_and_receive_events_published_on_the_other_node()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        await using var driver = SocketIoDriver.Start();
        var url = balancer.Url + "/sticky";

        var upgrading = await driver.ConnectAsync("default-transports", url, new { auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.True(upgrading?["connected"]?.GetValue<bool>(), upgrading?.ToJsonString());
        // Default transports: the session opens over polling and upgrades; both legs must reach the same node.
        await driver.WaitUpgradeAsync("default-transports");

        var polling = await driver.ConnectAsync("polling-only", url, new { transports = new[] { "polling" }, auth = new { apikey = HubNode.GlobalKey } }, timeoutMs: Timeouts.ConnectMs);
        Assert.True(polling?["connected"]?.GetValue<bool>(), polling?.ToJsonString());
        var v2 = await driver.ConnectAsync("v2-default-transports", url, new { query = new { apikey = HubNode.GlobalKey } }, version: 2, timeoutMs: Timeouts.ConnectMs);
        Assert.True(v2?["connected"]?.GetValue<bool>(), v2?.ToJsonString());

        var owner = await NodeFailureTests.OwnerAsync(farm, expected: 3);
        var other = farm.Nodes.Single(node => node != owner);
        for (var n = 1; n <= 10; n++)
        {
            await other.PublishAsync("sticky", "MESSAGES_UPSERT", new { n });
        }

        foreach (var client in new[] { "default-transports", "polling-only", "v2-default-transports" })
        {
            var events = await driver.NextManyAsync(client, "messages.upsert", 10, timeoutMs: Timeouts.EventMs);
            Assert.Equal(Enumerable.Range(1, 10), events.Select(args => args![0]!["data"]!["n"]!.GetValue<int>()));
            Assert.True((await driver.StateAsync(client))?["connected"]?.GetValue<bool>(), $"{client} lost its session behind nginx");
        }

        Assert.Equal("websocket", (await driver.StateAsync("default-transports"))?["transport"]?.GetValue<string>());
        Assert.Equal("polling", (await driver.StateAsync("polling-only"))?["transport"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_body_over_nginxs_1_MiB_default_and_within_the_hubs_32_MiB_passes_the_balancer()
    {
        await using var farm = await HubFarm.StartAsync(nodes: 2);
        var balancer = await farm.StartBalancerAsync(farm[0], farm[1]);
        using var http = new HttpClient { BaseAddress = balancer.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("apikey", HubNode.GlobalKey);

        using var response = await http.PostAsJsonAsync("/api/events", new { @event = "MESSAGES_UPSERT", instance = "big", data = new { media = new string('x', 4 * 1024 * 1024) } });

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("nginx.local.conf")]
    [InlineData("nginx.conf")]
    public void Both_nginx_configurations_take_the_hubs_body_limit_and_outwait_its_longest_silence(string file)
    {
        var config = File.ReadAllText(Path.Combine(Path.GetDirectoryName(TestAssets.NginxConf)!, file));

        Assert.Equal($"{new HttpLimitsOptions().MaxRequestBodyBytes / (1024 * 1024)}m", Assert.Single(Directive().Matches(config), m => m.Groups["name"].Value == "client_max_body_size").Groups["value"].Value);

        // A SignalR long-poll is held up to 90 s; Socket.IO's ping interval and timeout add up to 45 s.
        var socketIo = new Bridge.SocketIoOptions();
        foreach (var timeout in new[] { "proxy_read_timeout", "proxy_send_timeout" })
        {
            var seconds = int.Parse(Assert.Single(Directive().Matches(config), m => m.Groups["name"].Value == timeout).Groups["value"].Value.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(seconds > 90 && seconds * 1000 > socketIo.PingInterval + socketIo.PingTimeout, $"{file}: {timeout} {seconds}s");
        }
    }

    [GeneratedRegex(@"^\s*(?<name>[a-z_]+)\s+(?<value>[^;\s]+);", RegexOptions.Multiline)]
    private static partial Regex Directive();
}
