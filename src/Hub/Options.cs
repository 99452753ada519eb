namespace EvolutionHub;

/// <summary>The <c>Authentication</c> section.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The global key: every instance, every route. Env alias <c>AUTHENTICATION_API_KEY</c>.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The shortest instance token accepted, from <c>PUT /api/instances</c> or the <c>Instances</c> section.</summary>
    public int MinTokenLength { get; set; } = 16;
}

/// <summary>The <c>Websocket</c> section.</summary>
public sealed class WebsocketOptions
{
    /// <summary>Serve the SignalR hub and Socket.IO at all. Env alias <c>WEBSOCKET_ENABLED</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Deliver every instance's events to global listeners. Env alias <c>WEBSOCKET_GLOBAL_EVENTS</c>.</summary>
    public bool GlobalEvents { get; set; }

    /// <summary>Comma-separated client addresses that connect without a key, with the global key's scope. Env alias <c>WEBSOCKET_ALLOWED_HOSTS</c>.</summary>
    public string AllowedHosts { get; set; } = "";

    /// <summary>Keep the publisher's <c>apikey</c> in delivered envelopes. Env alias <c>WEBSOCKET_FORWARD_APIKEY</c>.</summary>
    public bool ForwardApiKey { get; set; }

    /// <summary>Refuse keyed Socket.IO and SignalR connections whose <c>Origin</c> header <c>Cors:Origin</c> does not allow.</summary>
    public bool RequireAllowedOrigin { get; set; }
}

/// <summary>The <c>Cors</c> section.</summary>
public sealed class CorsOriginOptions
{
    /// <summary>Comma-separated allowed origins, <c>*</c> for any. Empty: <c>*</c> in Development, none otherwise. Env alias <c>CORS_ORIGIN</c>.</summary>
    public string Origin { get; set; } = "";
}

/// <summary>The <c>Evolution</c> section: the Evolution API that inbound events are forwarded to.</summary>
public sealed class EvolutionOptions
{
    /// <summary>Evolution API's base URL; empty turns inbound forwarding off. Env alias <c>EVOLUTION_BASE_URL</c>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Seconds one attempt of a forwarded request may take; the retries of safe methods get three times that in all.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>The <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    /// <summary>The database file; relative paths are under the content root. Env alias <c>HUB_DATA_PATH</c>.</summary>
    public string Path { get; set; } = "data/evolutionhub.db";
}

/// <summary>The <c>Http</c> section.</summary>
public sealed class HttpLimitsOptions
{
    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Bytes of request bodies the node buffers at once, all requests together, before their credential is known (a webhook
    /// whose key is in its body); a request that would pass it is refused with 503.
    /// </summary>
    public long MaxUnauthenticatedBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Comma-separated proxy addresses whose <c>X-Forwarded-For</c> is believed; empty: none.</summary>
    public string KnownProxies { get; set; } = "";

    /// <summary>
    /// Thread-pool worker threads started without waiting (the runtime's minimum, raised to this when lower). Reading and
    /// parsing a large body keeps a thread busy; with only one per core, a few such requests would hold every thread and
    /// the node's other work (other instances' events) would wait for the pool to add threads, about two a second.
    /// </summary>
    public int MinWorkerThreads { get; set; } = 16;
}

/// <summary>The <c>Limits</c> section: what one source address or one connection may do. 0 turns a limit off.</summary>
public sealed class LimitsOptions
{
    /// <summary>Failed authentications one address may make within a minute before it is refused for <see cref="BlockSeconds"/>.</summary>
    public int FailedAuthenticationsPerMinute { get; set; } = 30;

    /// <summary>How long an address that made too many failed authentications is refused, even with a valid key.</summary>
    public int BlockSeconds { get; set; } = 60;

    /// <summary>Hub method calls (SignalR invocations, Socket.IO emits) one connection may make per second, in bursts of as many.</summary>
    public int ClientEventsPerSecond { get; set; } = 100;

    /// <summary>Concurrent SignalR connections from one address.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 1000;
}

/// <summary>The <c>SignalR</c> section.</summary>
public sealed class SignalROptions
{
    /// <summary>
    /// Bytes that may wait for one SignalR connection behind the message its transport is sending; past that the client is
    /// too slow and is disconnected.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 4 * 1024 * 1024;
}

/// <summary>The <c>Recovery</c> section: the history clients resume from after a disconnection.</summary>
public sealed class RecoveryOptions
{
    /// <summary>How long the history keeps an instance's events at least (within <see cref="MaxEventsPerInstance"/>).</summary>
    public int MaxDisconnectionSeconds { get; set; } = 120;

    /// <summary>The most events the history keeps of one instance, and of the global stream.</summary>
    public int MaxEventsPerInstance { get; set; } = 10000;
}

/// <summary>The <c>Inbound</c> section.</summary>
public sealed class InboundOptions
{
    /// <summary>Client event name → <c>"METHOD /path/{instance}"</c> under <see cref="EvolutionOptions.BaseUrl"/>.</summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The <c>Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve <c>/metrics</c> to the global key only.</summary>
    public bool RequireKey { get; set; }
}

/// <summary>The <c>Redis</c> section.</summary>
public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string or <c>redis://</c> URI; empty means a single node. Env alias <c>REDIS_URI</c>.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Starts every key and channel of the farm, so several farms can share one Redis.</summary>
    public string Prefix { get; set; } = "evolutionhub";

    /// <summary>How long a node that stopped refreshing its heartbeat still counts in <c>GET /api/instances</c>.</summary>
    public int NodeTimeoutSeconds { get; set; } = 15;

    /// <summary>How often a node checks its connections' instance tokens against Redis, besides whenever it sees Redis again.</summary>
    public int CredentialRecheckSeconds { get; set; } = 30;
}

/// <summary>One entry of the <c>Instances</c> section: an instance registered from configuration.</summary>
public sealed class ConfiguredInstance
{
    public string? Token { get; set; }

    public ConfiguredWebsocketSettings? Websocket { get; set; }
}

public sealed class ConfiguredWebsocketSettings
{
    public bool Enabled { get; set; } = true;

    public List<string> Events { get; set; } = [];
}
