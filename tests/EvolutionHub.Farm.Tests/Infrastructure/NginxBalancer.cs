using System.Net.Sockets;
using EvolutionHub.Testing;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// nginx in front of hub nodes, as <c>redis/nginx.conf</c> sets it up: <c>ip_hash</c> stickiness (long-polling needs every
/// request of a session on one node) and WebSocket upgrades passed through. A child process with a config, pid, logs and
/// temp files in its own folder.
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

    public static async Task<NginxBalancer> StartAsync(string directory, IEnumerable<HubNode> nodes)
    {
        Directory.CreateDirectory(directory);
        // The workers do not run as root: let them into the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var port = FreePort.Next();
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;

                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    ''      close;
                }

                upstream hub {
                    ip_hash;
            {{string.Join("\n", nodes.Select(node => $"        server 127.0.0.1:{node.Port} max_fails=1 fail_timeout=10s;"))}}
                }

                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://hub;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_buffering off;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 120s;
                    }
                }
            }
            """);

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
