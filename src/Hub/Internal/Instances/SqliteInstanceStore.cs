using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EvolutionHub.Internal.Authentication;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Instances;

/// <summary>
/// The single node's <see cref="IInstanceStore"/>: an SQLite file written through, read from memory.
/// Tokens are indexed by their SHA-256 so a lookup never compares a presented key with every token.
/// </summary>
internal sealed class SqliteInstanceStore : IInstanceStore, IDisposable
{
    private readonly Lock _writeLock = new();
    private readonly SqliteConnection _connection;
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _instanceByTokenHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WebsocketSettings> _settings = new(StringComparer.Ordinal);

    public SqliteInstanceStore(IOptions<StorageOptions> options, IHostEnvironment environment)
    {
        var path = System.IO.Path.Combine(environment.ContentRootPath, options.Value.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS instance_tokens (instance TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE);
            CREATE TABLE IF NOT EXISTS websocket_settings (instance TEXT PRIMARY KEY, enabled INTEGER NOT NULL, events TEXT NOT NULL);
            """);
        Load();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public ValueTask<string?> GetTokenAsync(string instance, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_tokens.GetValueOrDefault(instance));

    public ValueTask<string?> FindInstanceByTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        var found = _instanceByTokenHash.TryGetValue(Hash(token), out var instance)
            && _tokens.TryGetValue(instance, out var stored)
            && SecretComparer.Equal(stored, token);
        return ValueTask.FromResult(found ? instance : null);
    }

    public ValueTask<TokenChange> SetTokenAsync(string instance, string token, CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            var hash = Hash(token);
            if (_instanceByTokenHash.TryGetValue(hash, out var holder))
            {
                return ValueTask.FromResult(holder == instance ? TokenChange.Unchanged : TokenChange.Conflict);
            }

            Execute(
                "INSERT INTO instance_tokens (instance, token) VALUES ($instance, $token) ON CONFLICT (instance) DO UPDATE SET token = excluded.token;",
                ("$instance", instance), ("$token", token));
            var rotated = _tokens.TryGetValue(instance, out var previous);
            if (rotated)
            {
                _instanceByTokenHash.TryRemove(Hash(previous!), out _);
            }

            _tokens[instance] = token;
            _instanceByTokenHash[hash] = instance;
            return ValueTask.FromResult(rotated ? TokenChange.Rotated : TokenChange.Created);
        }
    }

    public ValueTask<bool> DeleteTokenAsync(string instance, CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            if (!_tokens.TryRemove(instance, out var token))
            {
                return ValueTask.FromResult(false);
            }

            Execute("DELETE FROM instance_tokens WHERE instance = $instance;", ("$instance", instance));
            _instanceByTokenHash.TryRemove(Hash(token), out _);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<IReadOnlyCollection<string>> GetRegisteredInstancesAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyCollection<string>>([.. _tokens.Keys]);

    public ValueTask<WebsocketSettings?> GetSettingsAsync(string instance, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_settings.GetValueOrDefault(instance));

    public ValueTask SetSettingsAsync(string instance, WebsocketSettings settings, CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            Execute(
                """
                INSERT INTO websocket_settings (instance, enabled, events) VALUES ($instance, $enabled, $events)
                ON CONFLICT (instance) DO UPDATE SET enabled = excluded.enabled, events = excluded.events;
                """,
                ("$instance", instance), ("$enabled", settings.Enabled ? 1 : 0), ("$events", JsonSerializer.Serialize(settings.Events)));
            _settings[instance] = settings;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CheckAsync(CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            Execute("SELECT 1;");
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _connection.Dispose();

    private void Load()
    {
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT instance, token FROM instance_tokens;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                _tokens[reader.GetString(0)] = reader.GetString(1);
                _instanceByTokenHash[Hash(reader.GetString(1))] = reader.GetString(0);
            }
        }

        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT instance, enabled, events FROM websocket_settings;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var events = JsonSerializer.Deserialize<string[]>(reader.GetString(2)) ?? [];
                _settings[reader.GetString(0)] = new WebsocketSettings(reader.GetInt64(1) != 0, events);
            }
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
