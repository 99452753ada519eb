using System.Net.Sockets;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// nginx in front of two hub nodes with the shipped <c>redis/nginx.local.conf</c> (its ports swapped for free ones):
/// <c>ip_hash</c> stickiness and WebSocket upgrades passed through. A child process with its pid and temp files under its
/// own folder (the <c>-p</c> prefix).
/// </summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly ChildProcess _process;

    private NginxBalancer(ChildProcess process, int port)
    {
        _process = process;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseUri { get; }

    public string Url => BaseUri.ToString().TrimEnd('/');

    public static async Task<NginxBalancer> StartAsync(string directory, HubNode first, HubNode second)
    {
        Directory.CreateDirectory(directory);
        // The workers do not run as root: let them into the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        Directory.CreateDirectory(Path.Combine(directory, "temp"));
        var port = FreePort.Next();
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, WithPorts(await File.ReadAllTextAsync(TestAssets.NginxConf), port, first.Port, second.Port));

        var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var process = ChildProcess.Start("nginx", nginx, ["-p", directory, "-e", "stderr", "-c", config, "-g", "daemon off;"], directory);
        var balancer = new NginxBalancer(process, port);
        try
        {
            await Eventually.UntilAsync(() => Task.FromResult(process.HasExited || Accepts(port)), StartTimeout, $"nginx to listen on {port}\n{process.Output}");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited at start.\n{process.Output}");
            }

            return balancer;
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>The shipped file with this test's ports in place of 8090 (nginx), 8091 and 8092 (the nodes).</summary>
    private static string WithPorts(string config, int port, int firstNode, int secondNode)
    {
        var replaced = config.Replace("listen 127.0.0.1:8090;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal)
            .Replace("server 127.0.0.1:8091 ", $"server 127.0.0.1:{firstNode} ", StringComparison.Ordinal)
            .Replace("server 127.0.0.1:8092 ", $"server 127.0.0.1:{secondNode} ", StringComparison.Ordinal);
        foreach (var expected in new[] { $":{port};", $":{firstNode} ", $":{secondNode} " })
        {
            Assert.True(replaced.Contains(expected, StringComparison.Ordinal), $"{TestAssets.NginxConf} no longer has the listen and server lines the test rewrites.");
        }

        return replaced;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
