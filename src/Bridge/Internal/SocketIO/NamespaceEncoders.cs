namespace EvolutionHub.Bridge.Internal.SocketIO;

/// <summary>One <see cref="NamespaceEncoder"/> per namespace with live sockets, shared by those sockets.</summary>
internal sealed class NamespaceEncoders
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (NamespaceEncoder Encoder, int Users)> _encoders = new(StringComparer.Ordinal);

    public NamespaceEncoder Rent(string ns)
    {
        lock (_lock)
        {
            var encoder = _encoders.TryGetValue(ns, out var entry) ? entry.Encoder : new NamespaceEncoder(ns);
            _encoders[ns] = (encoder, entry.Users + 1);
            return encoder;
        }
    }

    public void Return(NamespaceEncoder encoder)
    {
        lock (_lock)
        {
            var users = _encoders[encoder.Namespace].Users - 1;
            if (users == 0)
            {
                _encoders.Remove(encoder.Namespace);
            }
            else
            {
                _encoders[encoder.Namespace] = (encoder, users);
            }
        }
    }
}
