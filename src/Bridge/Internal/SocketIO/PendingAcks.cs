namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>
/// The client events with an ack id one Engine.IO session has waiting for the hub's answer, across its namespaces,
/// within <see cref="SocketIoOptions.MaxPendingAcks"/>.
/// </summary>
internal sealed class PendingAcks(int limit)
{
    private int _pending;

    /// <summary>Counts one more awaited acknowledgement; false (and nothing counted) when the limit is reached.</summary>
    public bool TryAdd()
    {
        if (Interlocked.Increment(ref _pending) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _pending);
        return false;
    }

    /// <summary>Acknowledgements answered, or that will never be (their hub connection ended).</summary>
    public void Remove(int count) => Interlocked.Add(ref _pending, -count);
}
