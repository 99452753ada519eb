using System.Net;
using System.Net.Sockets;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of one port (a node's way to redis-server, or a client's way to a node), so a test can cut
/// that one path off: <see cref="Sever"/> resets every relayed connection and refuses new ones until <see cref="Restore"/>;
/// <see cref="Retarget"/> sends new connections to another port, as a balancer failing over.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private volatile int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _relayed = [];
    private readonly Task _accepting;
    private bool _severed;

    private TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpRelay Start(int targetPort) => new(targetPort);

    /// <summary>Resets every connection through the relay and refuses new ones: the far side sees its peer vanish.</summary>
    public void Sever()
    {
        lock (_relayed)
        {
            _severed = true;
            foreach (var socket in _relayed)
            {
                Reset(socket);
            }

            _relayed.Clear();
        }
    }

    /// <summary>Relays new connections to <paramref name="targetPort"/>; those relayed already stay where they are.</summary>
    public void Retarget(int targetPort) => _targetPort = targetPort;

    /// <summary>Relays new connections again.</summary>
    public void Restore()
    {
        lock (_relayed)
        {
            _severed = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Sever();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (!Track(client))
            {
                Reset(client);
                server.Dispose();
                return;
            }

            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
            if (!Track(server))
            {
                Reset(client);
                Reset(server);
                return;
            }

            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Untrack(client);
            Untrack(server);
            Reset(client);
            Reset(server);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }
    }

    private bool Track(Socket socket)
    {
        lock (_relayed)
        {
            if (_severed)
            {
                return false;
            }

            _relayed.Add(socket);
            return true;
        }
    }

    private void Untrack(Socket socket)
    {
        lock (_relayed)
        {
            _relayed.Remove(socket);
        }
    }

    /// <summary>Closes with a TCP reset (no lingering FIN handshake): the peer's next read fails at once.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
