namespace EvolutionHub.Internal;

/// <summary>The instances one hub connection receives, kept in its <c>Context.Items</c>.</summary>
public sealed class ConnectionSubscriptions
{
    private readonly HashSet<string> _instances = new(StringComparer.Ordinal);

    public bool Add(string instance)
    {
        lock (_instances)
        {
            return _instances.Add(instance);
        }
    }

    public bool Remove(string instance)
    {
        lock (_instances)
        {
            return _instances.Remove(instance);
        }
    }

    public string[] Clear()
    {
        lock (_instances)
        {
            string[] instances = [.. _instances];
            _instances.Clear();
            return instances;
        }
    }
}
