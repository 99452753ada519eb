namespace EvolutionHub.Internal.Redis;

/// <summary>Redis is unreachable, so this node can neither read nor change the farm's state; the HTTP API answers 503.</summary>
public sealed class FarmUnavailableException(Exception? innerException = null)
    : Exception("Redis is unreachable: the farm's state can be neither read nor changed until it is back.", innerException);
