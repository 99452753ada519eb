namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>One test's farm: a Redis of its own and hub nodes A, B, C… on it, all in one temporary folder removed at the end.</summary>
public sealed class HubFarm : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly List<IAsyncDisposable> _owned = [];

    private HubFarm(DirectoryInfo directory, RedisServer redis)
    {
        _directory = directory;
        Redis = redis;
        _owned.Add(redis);
    }

    public RedisServer Redis { get; }

    public List<HubNode> Nodes { get; } = [];

    public HubNode this[int index] => Nodes[index];

    public static async Task<HubFarm> StartAsync(int nodes, string? redisPassword = null, int redisDatabase = 0,
        IReadOnlyDictionary<string, string>? settings = null, bool persistentRedis = false)
    {
        var directory = Directory.CreateTempSubdirectory("evolutionhub-farm-");
        HubFarm? farm = null;
        try
        {
            farm = new HubFarm(directory, await RedisServer.StartAsync(Path.Combine(directory.FullName, "redis"), redisPassword, redisDatabase, persistentRedis));
            var names = Enumerable.Range(0, nodes).Select(i => ((char)('A' + i)).ToString());
            var started = await Task.WhenAll(names.Select(name => farm.StartNodeAsync(name, waitReady: true, settings)));
            farm.Nodes.AddRange(started);
            return farm;
        }
        catch
        {
            if (farm is not null)
            {
                await farm.DisposeAsync();
            }
            else
            {
                directory.Delete(recursive: true);
            }

            throw;
        }
    }

    public async Task<NginxBalancer> StartBalancerAsync(HubNode first, HubNode second)
    {
        var balancer = await NginxBalancer.StartAsync(Path.Combine(_directory.FullName, "nginx"), first, second);
        lock (_owned)
        {
            _owned.Add(balancer);
        }

        return balancer;
    }

    /// <summary>A relay in front of the farm's Redis (disposed with the farm), for a node that the test cuts off alone.</summary>
    public TcpRelay StartRelay()
    {
        var relay = TcpRelay.Start(Redis.Port);
        lock (_owned)
        {
            _owned.Add(relay);
        }

        return relay;
    }

    /// <summary>
    /// Starts one more node on the farm's Redis, or through <paramref name="relay"/> to it (not added to <see cref="Nodes"/>;
    /// disposed with the farm).
    /// </summary>
    public async Task<HubNode> StartNodeAsync(string name, bool waitReady, IReadOnlyDictionary<string, string>? settings = null, TcpRelay? relay = null)
    {
        var redisUri = relay is null ? Redis.Uri : Redis.UriAt(relay.Port);
        var node = await HubNode.StartAsync(name, redisUri, Path.Combine(_directory.FullName, "node-" + name), waitReady, settings);
        lock (_owned)
        {
            _owned.Add(node);
        }

        return node;
    }

    public async ValueTask DisposeAsync()
    {
        List<IAsyncDisposable> owned;
        lock (_owned)
        {
            owned = [.. _owned];
        }

        owned.Reverse();
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        _directory.Delete(recursive: true);
    }
}
