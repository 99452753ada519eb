using System.Diagnostics.CodeAnalysis;

namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// One socket's acknowledgements: the ack ids of the server's events with the invocation each answers, and the client's
/// events with an ack id the server has not answered yet, counted in the session's <see cref="PendingAcks"/>.
/// </summary>
internal sealed class SocketIoAcks(PendingAcks pending)
{
    private readonly Lock _lock = new();
    private Dictionary<long, string>? _serverAcks;
    private long _nextAckId;
    private int _awaited;
    private bool _ended;

    /// <summary>The ack id of a server event whose answer completes <paramref name="invocationId"/>.</summary>
    public long Register(string invocationId)
    {
        lock (_lock)
        {
            var ackId = _nextAckId++;
            (_serverAcks ??= [])[ackId] = invocationId;
            return ackId;
        }
    }

    /// <summary>The invocation the client's ACK <paramref name="ackId"/> answers; false for an id the server never sent, or one answered.</summary>
    public bool TryTake(long ackId, [NotNullWhen(true)] out string? invocationId)
    {
        lock (_lock)
        {
            invocationId = null;
            return _serverAcks is not null && _serverAcks.Remove(ackId, out invocationId);
        }
    }

    /// <summary>A client event awaits an ack: false (and nothing counted) when the session has too many awaited.</summary>
    public bool TryAwait()
    {
        lock (_lock)
        {
            // Once the socket has ended, the event goes nowhere and awaits nothing.
            if (_ended)
            {
                return true;
            }

            if (!pending.TryAdd())
            {
                return false;
            }

            _awaited++;
            return true;
        }
    }

    /// <summary>The server answered (or declined to answer) one awaited client event.</summary>
    public void Answered()
    {
        lock (_lock)
        {
            if (_awaited > 0)
            {
                _awaited--;
                pending.Remove(1);
            }
        }
    }

    /// <summary>The socket's server side ended: what it had not answered never will be, and no longer counts against the session.</summary>
    public void End()
    {
        lock (_lock)
        {
            _ended = true;
            pending.Remove(_awaited);
            _awaited = 0;
        }
    }
}
