using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Internal.Authentication;

/// <summary>
/// Counts failed authentications per client address, on every way in (HTTP API, webhook, SignalR, Socket.IO CONNECT): after
/// <see cref="LimitsOptions.FailedAuthenticationsPerMinute"/> failures within a minute the address is refused for
/// <see cref="LimitsOptions.BlockSeconds"/>, a valid key included. A success resets nothing. The table forgets addresses
/// whose minute and block are over, and holds at most <see cref="MaxAddresses"/>: past that, new addresses go uncounted
/// rather than evict the ones being counted.
/// </summary>
internal sealed class FailedAuthentications(IOptions<LimitsOptions> options, TimeProvider time)
{
    public const int MaxAddresses = 100_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();
    private readonly int _limit = options.Value.FailedAuthenticationsPerMinute;
    private readonly TimeSpan _block = TimeSpan.FromSeconds(Math.Max(1, options.Value.BlockSeconds));
    private long _lastSweep;

    /// <summary>Whether <paramref name="address"/> is refused now; <paramref name="retryAfter"/> says for how much longer.</summary>
    public bool IsBlocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limit <= 0 || address is null || !_entries.TryGetValue(ClientAddresses.Normalize(address), out var entry))
        {
            return false;
        }

        var now = time.GetTimestamp();
        lock (entry)
        {
            if (entry.BlockedUntil <= now)
            {
                return false;
            }

            retryAfter = time.GetElapsedTime(now, entry.BlockedUntil);
            return true;
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        if (_limit <= 0 || address is null)
        {
            return;
        }

        var now = time.GetTimestamp();
        var key = ClientAddresses.Normalize(address);
        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count >= MaxAddresses && !Sweep(now))
            {
                return;
            }

            entry = _entries.GetOrAdd(key, _ => new Entry { WindowStart = now });
        }

        lock (entry)
        {
            if (time.GetElapsedTime(entry.WindowStart, now) >= Window)
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }

            if (++entry.Failures >= _limit)
            {
                entry.BlockedUntil = now + (long)(_block.TotalSeconds * time.TimestampFrequency);
                entry.Failures = 0;
            }
        }
    }

    /// <summary>The number of addresses the table holds.</summary>
    public int Count => _entries.Count;

    /// <summary>Forgets the addresses whose minute and block are over, at most once a second; true when that made room.</summary>
    private bool Sweep(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (last != 0 && time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1)
            || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return _entries.Count < MaxAddresses;
        }

        foreach (var (address, entry) in _entries)
        {
            bool expired;
            lock (entry)
            {
                expired = entry.BlockedUntil <= now && time.GetElapsedTime(entry.WindowStart, now) >= Window;
            }

            if (expired)
            {
                _entries.TryRemove(new KeyValuePair<IPAddress, Entry>(address, entry));
            }
        }

        return _entries.Count < MaxAddresses;
    }

    private sealed class Entry
    {
        public long WindowStart;
        public int Failures;
        public long BlockedUntil;
    }
}
