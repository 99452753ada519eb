using System.Text.Json;
using EvolutionHub.Bridge;
using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm.History;

/// <summary>
/// The farm's Socket.IO session records, so that a client recovers its socket on any node: one string per private id
/// (<c>{prefix}:socketio-session:{pid}</c>), written with <c>SET … PX</c> and taken with <c>GETDEL</c>, atomic, so a record
/// is taken once however many nodes the client tries.
/// </summary>
internal sealed class RedisSocketIoSessionStore(RedisFarmConnection redis) : ISocketIoSessionStore
{
    public async ValueTask SaveAsync(SocketIoSessionRecord session, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var value = JsonSerializer.SerializeToUtf8Bytes(new StoredSession(session.SocketId, session.Namespace, session.LastSeenAt.ToUnixTimeMilliseconds()));
        await redis.RunAsync(database => database.StringSetAsync(redis.Keys.SocketIoSession(session.Pid), value, timeToLive)).WaitAsync(cancellationToken);
    }

    public async ValueTask<SocketIoSessionRecord?> TakeAsync(string pid, CancellationToken cancellationToken)
    {
        var value = await redis.RunAsync(database => database.StringGetDeleteAsync(redis.Keys.SocketIoSession(pid))).WaitAsync(cancellationToken);
        if (value.IsNull || JsonSerializer.Deserialize<StoredSession>((byte[])value!) is not { } stored)
        {
            return null;
        }

        return new SocketIoSessionRecord(pid, stored.SocketId, stored.Namespace, DateTimeOffset.FromUnixTimeMilliseconds(stored.LastSeenAt));
    }

    private sealed record StoredSession(string SocketId, string Namespace, long LastSeenAt);
}
