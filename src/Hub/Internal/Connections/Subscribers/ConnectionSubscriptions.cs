namespace EvolutionHub.Internal.Connections.Subscribers;

/// <summary>
/// The instances one hub connection receives, kept in its <c>Context.Items</c>. Once the connection has ended
/// (<see cref="Close"/>) it takes no more: a <c>Subscribe</c> still running then must not count it again.
/// </summary>
internal sealed class ConnectionSubscriptions
{
    private readonly HashSet<string> _instances = new(StringComparer.Ordinal);
    private bool _closed;

    /// <summary>False when already subscribed, or the connection has ended.</summary>
    public bool Add(string instance)
    {
        lock (_instances)
        {
            return !_closed && _instances.Add(instance);
        }
    }

    public bool Remove(string instance)
    {
        lock (_instances)
        {
            return _instances.Remove(instance);
        }
    }

    public bool Contains(string instance)
    {
        lock (_instances)
        {
            return _instances.Contains(instance);
        }
    }

    /// <summary>The connection ended: returns what it received, and takes nothing from now on.</summary>
    public string[] Close()
    {
        lock (_instances)
        {
            _closed = true;
            string[] instances = [.. _instances];
            _instances.Clear();
            return instances;
        }
    }
}
