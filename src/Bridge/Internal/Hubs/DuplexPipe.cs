using System.IO.Pipelines;

namespace EvolutionHub.Bridge.Internal.Hubs;

internal sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
