namespace EvolutionHub.Bridge.Internal.SocketIO.Parser;

/// <summary>A message that is not a valid Socket.IO packet.</summary>
internal sealed class SocketIoProtocolException(string message) : Exception(message);
