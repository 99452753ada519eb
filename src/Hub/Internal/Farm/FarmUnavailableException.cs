using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>
/// Redis is unreachable or refuses commands (OOM, READONLY …), so this node can neither read nor change the farm's state;
/// the HTTP API answers 503.
/// </summary>
internal sealed class FarmUnavailableException(Exception? innerException = null) : Exception(MessageFor(innerException), innerException)
{
    private static string MessageFor(Exception? cause) => cause is RedisServerException refusal
        ? $"Redis refuses commands ({refusal.Message.Split(' ', 2)[0]}): the farm's state can be neither read nor changed until it takes them again."
        : "Redis is unreachable: the farm's state can be neither read nor changed until it is back.";
}
