using EvolutionHub.Bridge.Internal.SocketIO;
using EvolutionHub.Bridge.Internal.SocketIO.Recovery;
using EvolutionHub.Bridge.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EvolutionHub.Bridge.Tests.SocketIo;

public sealed class MemorySocketIoSessionStoreTests
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(2);

    private static MemorySocketIoSessionStore Create(int maxStoredSessions, TimeProvider time)
    {
        var options = new SocketIoOptions();
        options.ConnectionStateRecovery.MaxStoredSessions = maxStoredSessions;
        return new MemorySocketIoSessionStore(Options.Create(options), time);
    }

    private static SocketIoSessionRecord Session(string pid) => new(pid, "sid-" + pid, "/", DateTimeOffset.UtcNow);

    [Fact]
    public async Task Beyond_its_bound_the_oldest_session_is_forgotten()
    {
        var store = Create(3, TimeProvider.System);
        foreach (var pid in new[] { "a", "b", "c", "d" })
        {
            await store.SaveAsync(Session(pid), TimeToLive, CancellationToken.None);
            Assert.True(store.Count <= 3);
        }

        Assert.Null(await store.TakeAsync("a", CancellationToken.None));
        foreach (var pid in new[] { "b", "c", "d" })
        {
            Assert.Equal("sid-" + pid, (await store.TakeAsync(pid, CancellationToken.None))?.SocketId);
        }

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task A_session_is_taken_once_and_not_after_its_time_to_live()
    {
        var clock = new ShiftedClock();
        var store = Create(100, clock);
        await store.SaveAsync(Session("once"), TimeToLive, CancellationToken.None);
        await store.SaveAsync(Session("late"), TimeToLive, CancellationToken.None);

        Assert.NotNull(await store.TakeAsync("once", CancellationToken.None));
        Assert.Null(await store.TakeAsync("once", CancellationToken.None));

        clock.Shift = TimeToLive;
        Assert.Null(await store.TakeAsync("late", CancellationToken.None));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void The_default_bound_is_documented_and_the_window_is_socket_io_s()
    {
        var options = new SocketIoOptions().ConnectionStateRecovery;
        Assert.Equal(100_000, options.MaxStoredSessions);
        Assert.Equal(TimeSpan.FromMinutes(2), options.MaxDisconnectionDuration);
        Assert.False(options.Enabled);
    }

    [Fact]
    public void The_options_bind_from_the_SocketIo_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SocketIo:ConnectionStateRecovery:Enabled"] = "true",
            ["SocketIo:ConnectionStateRecovery:MaxDisconnectionDuration"] = "00:00:30",
            ["SocketIo:ConnectionStateRecovery:MaxStoredSessions"] = "5",
        }).Build();
        var options = new SocketIoOptions();
        configuration.GetSection("SocketIo").Bind(options);
        Assert.Equal((true, TimeSpan.FromSeconds(30), 5),
            (options.ConnectionStateRecovery.Enabled, options.ConnectionStateRecovery.MaxDisconnectionDuration, options.ConnectionStateRecovery.MaxStoredSessions));
    }
}
