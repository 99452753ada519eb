using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace EvolutionHub.Bridge.Internal.EngineIO;

/// <summary>
/// Admits new Engine.IO sessions within <see cref="SocketIoOptions.MaxSessions"/> and, per source address,
/// <see cref="SocketIoOptions.MaxSessionsPerAddress"/> open at once and <see cref="SocketIoOptions.NewSessionsPerSecondPerAddress"/>
/// (a token bucket holding twice the rate). IPv6 addresses count per /64, the block one subscriber usually holds; a request
/// without an address (not over TCP) counts only towards the global limit.
/// </summary>
internal sealed class SessionAdmission
{
    private const int BurstFactor = 2;
    private const int ConcurrencyRetryAfterSeconds = 5;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<IPAddress, AddressSessions> _addresses = new();
    private readonly int _maxSessions;
    private readonly int _maxPerAddress;
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private int _sessions;
    private long _lastSweep;

    public SessionAdmission(SocketIoOptions options, TimeProvider time)
    {
        _maxSessions = options.MaxSessions;
        _maxPerAddress = options.MaxSessionsPerAddress;
        _ratePerSecond = options.NewSessionsPerSecondPerAddress;
        _burst = BurstFactor * _ratePerSecond;
        _time = time;
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>Admits a session from <paramref name="address"/>, or says why not; the lease is released when the session closes.</summary>
    public bool TryAdmit(IPAddress? address, [NotNullWhen(true)] out SessionLease? lease, out AdmissionRefusal refusal)
    {
        lease = null;
        refusal = default;
        if (Interlocked.Increment(ref _sessions) > _maxSessions && _maxSessions > 0)
        {
            Interlocked.Decrement(ref _sessions);
            refusal = new AdmissionRefusal(StatusCodes.Status503ServiceUnavailable, "Too many sessions on this server", ConcurrencyRetryAfterSeconds);
            return false;
        }

        AddressSessions? sessions = null;
        if (address is not null && (_maxPerAddress > 0 || _ratePerSecond > 0))
        {
            SweepIfDue();
            if (!TryAdmitFrom(Key(address), out sessions, out refusal))
            {
                Interlocked.Decrement(ref _sessions);
                return false;
            }
        }

        lease = new SessionLease(this, sessions);
        return true;
    }

    private bool TryAdmitFrom(IPAddress key, out AddressSessions sessions, out AdmissionRefusal refusal)
    {
        var now = _time.GetTimestamp();
        while (true)
        {
            sessions = _addresses.GetOrAdd(key, static (_, burst) => new AddressSessions(burst), _burst);
            lock (sessions.Gate)
            {
                if (sessions.Removed)
                {
                    continue;
                }

                sessions.Refill(now, _time, _ratePerSecond, _burst);
                if (_maxPerAddress > 0 && sessions.Open >= _maxPerAddress)
                {
                    refusal = new AdmissionRefusal(StatusCodes.Status429TooManyRequests, "Too many sessions from this address", ConcurrencyRetryAfterSeconds);
                    return false;
                }

                if (_ratePerSecond > 0 && sessions.Tokens < 1)
                {
                    var retryAfter = (int)Math.Ceiling((1 - sessions.Tokens) / _ratePerSecond);
                    refusal = new AdmissionRefusal(StatusCodes.Status429TooManyRequests, "Too many new sessions from this address", Math.Max(1, retryAfter));
                    return false;
                }

                sessions.Tokens -= 1;
                sessions.Open++;
                refusal = default;
                return true;
            }
        }
    }

    private void Release(AddressSessions? sessions)
    {
        Interlocked.Decrement(ref _sessions);
        if (sessions is not null)
        {
            lock (sessions.Gate)
            {
                sessions.Open--;
            }
        }
    }

    /// <summary>Forgets the addresses with no session open and a full bucket: they are as if never seen.</summary>
    private void SweepIfDue()
    {
        var last = Interlocked.Read(ref _lastSweep);
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(last, now) < SweepInterval || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, sessions) in _addresses)
        {
            lock (sessions.Gate)
            {
                sessions.Refill(now, _time, _ratePerSecond, _burst);
                if (sessions.Open == 0 && sessions.Tokens >= _burst)
                {
                    sessions.Removed = true;
                    _addresses.TryRemove(key, out _);
                }
            }
        }
    }

    private static IPAddress Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>The sessions of one source address: how many are open, and the bucket of new ones.</summary>
    internal sealed class AddressSessions(double burst)
    {
        /// <summary>Guards the counts and the bucket of this address.</summary>
        public Lock Gate { get; } = new();

        private long _refilledAt;

        public int Open { get; set; }

        public double Tokens { get; set; } = burst;

        public bool Removed { get; set; }

        public void Refill(long now, TimeProvider time, double ratePerSecond, double burst)
        {
            if (_refilledAt != 0)
            {
                Tokens = Math.Min(burst, Tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * ratePerSecond));
            }

            _refilledAt = now;
        }
    }

    /// <summary>A session's place within the limits, given back once when it closes.</summary>
    public sealed class SessionLease(SessionAdmission admission, AddressSessions? sessions)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                admission.Release(sessions);
            }
        }
    }
}

/// <summary>Why a handshake was refused: the HTTP status, Engine.IO's error message, and when to try again.</summary>
internal readonly record struct AdmissionRefusal(int StatusCode, string Message, int RetryAfterSeconds);
