namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>One <see cref="NamespaceEncoder"/> per namespace with live connections, shared by those connections.</summary>
internal sealed class NamespaceEncoders
{
    private readonly Dictionary<string, (NamespaceEncoder Encoder, int Users)> _encoders = new(StringComparer.Ordinal);

    public NamespaceEncoder Rent(string ns)
    {
        lock (_encoders)
        {
            var encoder = _encoders.TryGetValue(ns, out var entry) ? entry.Encoder : new NamespaceEncoder(ns);
            _encoders[ns] = (encoder, entry.Users + 1);
            return encoder;
        }
    }

    public void Return(NamespaceEncoder encoder)
    {
        lock (_encoders)
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
