using EvolutionHub.Bridge.Internal.EngineIO;
using EvolutionHub.Bridge.Internal.EngineIO.Parser;

namespace EvolutionHub.Bridge.Tests.Codecs;

public sealed class PacketQueueTests
{
    [Fact]
    public async Task A_waiting_reader_wakes_on_write_and_reads_in_order()
    {
        var queue = new PacketQueue();
        var waiting = queue.WaitToReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        queue.TryWrite(EnginePacket.Ping);
        queue.TryWrite(EnginePacket.Noop);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(queue.TryRead(out var first));
        Assert.True(queue.TryRead(out var second));
        Assert.Equal((EnginePacketType.Ping, EnginePacketType.Noop), (first.Type, second.Type));
        Assert.False(queue.TryRead(out _));
    }

    [Fact]
    public async Task Completion_lets_the_reader_drain_then_reports_the_end()
    {
        var queue = new PacketQueue();
        queue.TryWrite(EnginePacket.Close);
        queue.Complete();
        Assert.False(queue.TryWrite(EnginePacket.Ping));
        Assert.True(await queue.WaitToReadAsync());
        Assert.True(queue.TryRead(out _));
        Assert.False(await queue.WaitToReadAsync());
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_the_queue_can_be_waited_on_again()
    {
        var queue = new PacketQueue();
        using var cancellation = new CancellationTokenSource();
        var waiting = queue.WaitToReadAsync(cancellation.Token).AsTask();
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        var again = queue.WaitToReadAsync().AsTask();
        queue.TryWrite(EnginePacket.Ping);
        Assert.True(await again.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_burst_is_read_back_whole()
    {
        var queue = new PacketQueue();
        for (var i = 0; i < 1000; i++)
        {
            queue.TryWrite(EnginePacket.Text(EnginePacketType.Message, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(queue.TryRead(out var packet));
            Assert.Equal("4" + i, System.Text.Encoding.UTF8.GetString(packet.Frame.Span));
        }

        Assert.Equal(0, queue.Count);
    }
}
