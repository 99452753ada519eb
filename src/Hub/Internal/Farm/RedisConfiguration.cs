using StackExchange.Redis;

namespace EvolutionHub.Internal.Farm;

/// <summary>Reads <c>Redis:Configuration</c>: a StackExchange.Redis configuration string or a <c>redis://[user:password@]host:port[/db]</c> URI.</summary>
internal static class RedisConfiguration
{
    /// <summary>Whether the <c>Redis</c> section turns the farm on.</summary>
    public static bool IsFarm(IConfigurationSection redis) => !string.IsNullOrWhiteSpace(redis[nameof(RedisOptions.Configuration)]);

    /// <exception cref="HubStartupException">The value is neither form.</exception>
    public static ConfigurationOptions Parse(string value)
    {
        var text = value.Trim();
        var options = text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
            ? FromUri(text)
            : FromConfigurationString(text);

        // A node must start, and keep serving its connected clients, while Redis is away; it reconnects by itself.
        options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        return options;
    }

    private static ConfigurationOptions FromConfigurationString(string text)
    {
        try
        {
            return ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException exception)
        {
            throw new HubStartupException($"Redis:Configuration (REDIS_URI) is not a valid StackExchange.Redis configuration: {exception.Message}");
        }
    }

    private static ConfigurationOptions FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new HubStartupException("Redis:Configuration (REDIS_URI) is not a valid redis:// URI; expected redis://[:password@]host:port[/db].");
        }

        var options = new ConfigurationOptions { Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                options.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }

            // redis://:password@host carries no user name; a lone redis://secret@host is taken as a password too.
            if (separator < 0)
            {
                options.Password = user;
            }
            else if (user.Length > 0)
            {
                options.User = user;
            }
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0)
        {
            options.DefaultDatabase = int.TryParse(database, out var number) && number >= 0
                ? number
                : throw new HubStartupException($"Redis:Configuration (REDIS_URI): '{database}' is not a database number.");
        }

        return options;
    }
}
