namespace EvolutionHub.Bridge.Internal.Hubs;

/// <summary>One <see cref="NamespaceEncoder"/> per namespace with live connections, shared by those connections.</summary>
internal sealed class NamespaceEncoders
{
    private readonly Dictionary<string, NamespaceEncoder> _encoders = new(StringComparer.Ordinal);

    public NamespaceEncoder Rent(string ns)
    {
        lock (_encoders)
        {
            if (!_encoders.TryGetValue(ns, out var encoder))
            {
                encoder = new NamespaceEncoder(ns);
                _encoders.Add(ns, encoder);
            }

            encoder.Users++;
            return encoder;
        }
    }

    public void Return(NamespaceEncoder encoder)
    {
        lock (_encoders)
        {
            if (--encoder.Users == 0)
            {
                _encoders.Remove(encoder.Namespace);
            }
        }
    }
}
