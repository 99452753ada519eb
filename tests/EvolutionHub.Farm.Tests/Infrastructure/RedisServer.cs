namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// A <c>redis-server</c> of its own for one test: the farm's <c>redis/redis.conf</c> on a free loopback port, in its own
/// folder, without persistence unless asked (an append-only file in its folder). It can be stopped and started again on the
/// same port, with the data it had when persistent.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string _directory;
    private readonly string? _password;
    private readonly int _database;
    private readonly bool _persistent;
    private ChildProcess? _process;

    private RedisServer(string directory, int port, string? password, int database, bool persistent)
    {
        _persistent = persistent;
        _directory = directory;
        _password = password;
        _database = database;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The <c>REDIS_URI</c> the nodes are given.</summary>
    public string Uri => UriAt(Port);

    /// <summary>The <c>REDIS_URI</c> of this server reached through another port (a <see cref="TcpRelay"/>).</summary>
    public string UriAt(int port) => _password is null ? $"redis://127.0.0.1:{port}/{_database}" : $"redis://:{_password}@127.0.0.1:{port}/{_database}";

    public static async Task<RedisServer> StartAsync(string directory, string? password = null, int database = 0, bool persistent = false)
    {
        Directory.CreateDirectory(directory);
        var server = new RedisServer(directory, FreePort.Next(), password, database, persistent);
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
            [TestAssets.RedisConf, "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--save", "", "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no", "--logfile", "",
                .. (_password is null ? Array.Empty<string>() : ["--requirepass", _password])],
            _directory);
        await _process.WaitForLineAsync(line => line.Contains("Ready to accept connections", StringComparison.Ordinal), StartTimeout, "Ready to accept connections");
    }

    /// <summary>Runs <c>redis-cli</c> against the nodes' database; returns what it printed.</summary>
    public async Task<string> CliAsync(params string[] command)
    {
        await using var cli = ChildProcess.Start(
            "redis-cli",
            "redis-cli",
            ["-p", Port.ToString(), "-n", _database.ToString(), "--no-auth-warning", .. (_password is null ? Array.Empty<string>() : ["-a", _password]), .. command],
            _directory);
        await cli.WaitForExitAsync(TimeSpan.FromSeconds(10));
        return cli.Printed.Trim();
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
