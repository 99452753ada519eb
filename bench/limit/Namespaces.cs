using System.Collections.Concurrent;

namespace EvolutionHub.Bench.Limit;

/// <summary>The connections of each Socket.IO namespace.</summary>
public sealed class Namespaces
{
    private readonly ConcurrentDictionary<string, ConnectionSet> _members = new(StringComparer.Ordinal);

    public void Join(string name, Connection connection) => _members.GetOrAdd(name, _ => new ConnectionSet()).Add(connection);

    public void Leave(string name, Connection connection)
    {
        if (_members.TryGetValue(name, out var members))
        {
            members.Remove(connection);
        }
    }

    public Connection[] Members(string name) => _members.TryGetValue(name, out var members) ? members.Snapshot() : [];
}
