namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// A <c>redis-server</c> of its own for one test: the farm's <c>redis/redis.conf</c> on a free loopback port, in its own
/// folder, without persistence. It can be stopped and started again on the same port.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string _directory;
    private ChildProcess? _process;

    private RedisServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The <c>REDIS_URI</c> the nodes are given.</summary>
    public string Uri => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var server = new RedisServer(directory, FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _process = ChildProcess.Start(
            $"redis-server:{Port}",
            "redis-server",
            [TestAssets.RedisConf, "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""],
            _directory);
        await _process.WaitForLineAsync(line => line.Contains("Ready to accept connections", StringComparison.Ordinal), StartTimeout, "Ready to accept connections");
    }

    /// <summary>Stops the server as an operator would (SIGTERM); its clients see their connections drop.</summary>
    public Task StopAsync() => _process?.StopAsync(TimeSpan.FromSeconds(5)) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
