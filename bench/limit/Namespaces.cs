using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace EvolutionHub.Bench.Limit;

/// <summary>The connections of each namespace, as immutable snapshots so a broadcast walks an array without a lock.</summary>
public sealed class Namespaces
{
    private readonly ConcurrentDictionary<string, ImmutableArray<Connection>> _members = new(StringComparer.Ordinal);

    public IEnumerable<Connection> All => _members.Values.SelectMany(members => members).Distinct();

    public void Join(string name, Connection connection) =>
        _members.AddOrUpdate(name, _ => [connection], (_, members) => members.Add(connection));

    public void Leave(string name, Connection connection) =>
        _members.AddOrUpdate(name, _ => [], (_, members) => members.Remove(connection));

    public void Broadcast(string name, ReadOnlyMemory<byte> frame)
    {
        if (_members.TryGetValue(name, out var members))
        {
            foreach (var connection in members)
            {
                connection.Send(frame);
            }
        }
    }
}
