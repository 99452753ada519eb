namespace EvolutionHub.Bench.Limit;

/// <summary>
/// A set of connections with a snapshot for broadcasts: joins and leaves are O(1) under a lock, the snapshot array is
/// rebuilt only on the first broadcast after a change, so a ramp of joins copies nothing and a broadcast walks an array.
/// </summary>
public sealed class ConnectionSet
{
    private readonly Lock _gate = new();
    private readonly HashSet<Connection> _members = [];
    private Connection[]? _snapshot = [];

    public void Add(Connection connection)
    {
        lock (_gate)
        {
            if (_members.Add(connection))
            {
                _snapshot = null;
            }
        }
    }

    public void Remove(Connection connection)
    {
        lock (_gate)
        {
            if (_members.Remove(connection))
            {
                _snapshot = null;
            }
        }
    }

    public Connection[] Snapshot()
    {
        lock (_gate)
        {
            return _snapshot ??= [.. _members];
        }
    }
}
