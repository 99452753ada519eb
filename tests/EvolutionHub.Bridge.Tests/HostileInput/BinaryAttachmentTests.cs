using System.Net.WebSockets;
using System.Text;
using EvolutionHub.Bridge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>Binary attachments cost what was received: each is referenced once, their number and size are bounded.</summary>
public sealed class BinaryAttachmentTests
{
    private const string Placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    private const string Placeholder1 = "{\"_placeholder\":true,\"num\":1}";

    public static TheoryData<string, string, int> BadReferences => new()
    {
        { "a placeholder referenced twice", $"2-1[\"x\",{Placeholder0},{Placeholder0}]", 2 },
        { "an index out of range", $"1-1[\"x\",{Placeholder1}]", 1 },
        { "more placeholders than attachments", $"1-1[\"x\",{Placeholder0},{Placeholder1}]", 1 },
        { "fewer placeholders than attachments", $"2-1[\"x\",{Placeholder0}]", 2 },
        { "a num that is a string", "1-1[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]", 1 },
        { "a num that is not an integer", "1-1[\"x\",{\"_placeholder\":true,\"num\":0.5}]", 1 },
        { "a placeholder with a third property", "1-1[\"x\",{\"_placeholder\":true,\"num\":0,\"more\":1}]", 1 },
    };

    [Theory]
    [MemberData(nameof(BadReferences))]
    public async Task A_binary_event_with_bad_placeholders_closes_the_session(string what, string packet, int attachments)
    {
        await using var server = await BridgeServer.StartAsync();
        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync();
        await RawEngineIo.SendTextAsync(socket, "45" + packet);
        try
        {
            for (var i = 0; i < attachments; i++)
            {
                await RawEngineIo.SendBinaryAsync(socket, [1, 2, 3]);
            }
        }
        catch (WebSocketException)
        {
            // Refused from its text on: the socket may be closed before the attachments are sent.
        }

        var answer = await RawEngineIo.NextAsync(socket, m => m.StartsWith("43", StringComparison.Ordinal));
        Assert.True(answer is null, $"{what}: the hub answered {answer} instead of the session being closed");
    }

    [Fact]
    public async Task A_packet_may_carry_up_to_MaxAttachments_attachments_and_one_more_closes_the_session()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxAttachments = 100);
        using var raw = new RawEngineIo(server.Url);

        var (accepted, _) = await raw.ConnectNamespaceAsync();
        await SendBinaryEventAsync(accepted, attachments: 100, size: 10);
        Assert.Equal("431[{\"received\":\"x\",\"count\":100}]", await RawEngineIo.NextAsync(accepted, m => m.StartsWith("43", StringComparison.Ordinal)));

        var (refused, _) = await raw.ConnectNamespaceAsync();
        await SendBinaryEventAsync(refused, attachments: 101, size: 10);
        Assert.Null(await RawEngineIo.NextAsync(refused, m => m.StartsWith("43", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Attachments_that_together_pass_maxPayload_close_the_session()
    {
        await using var server = await BridgeServer.StartAsync(o => o.MaxPayload = 1000);
        using var raw = new RawEngineIo(server.Url);

        var (within, _) = await raw.ConnectNamespaceAsync();
        await SendBinaryEventAsync(within, attachments: 3, size: 200);
        Assert.Equal("431[{\"received\":\"x\",\"count\":3}]", await RawEngineIo.NextAsync(within, m => m.StartsWith("43", StringComparison.Ordinal)));

        // Each message is under maxPayload; the packet with its attachments is not.
        var (over, _) = await raw.ConnectNamespaceAsync();
        await SendBinaryEventAsync(over, attachments: 3, size: 600);
        Assert.Null(await RawEngineIo.NextAsync(over, m => m.StartsWith("43", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("OnAnyEvent")]
    [InlineData("OnAnyJson")]
    public async Task A_binary_event_with_a_duplicate_property_name_fails_to_bind_without_an_error(string fallback)
    {
        var logs = new RecordingLoggerProvider();
        await using var server = await BridgeServer.StartAsync(o => o.FallbackMethod = fallback, services: s => s.AddSingleton<ILoggerProvider>(logs));
        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync();
        await RawEngineIo.SendTextAsync(socket, $"451-1[\"x\",{{\"a\":1,\"a\":2}},{Placeholder0}]");
        await RawEngineIo.SendBinaryAsync(socket, [1, 2, 3]);
        var answer = await RawEngineIo.NextAsync(socket, m => m.StartsWith("431", StringComparison.Ordinal) || m.StartsWith("41", StringComparison.Ordinal));
        Assert.StartsWith("431[{\"error\":", answer);
        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Error);

        await RawEngineIo.SendTextAsync(socket, "422[\"Echo\",\"alive\"]");
        Assert.Equal("432[\"alive\"]", await RawEngineIo.NextAsync(socket, m => m.StartsWith("43", StringComparison.Ordinal)));
    }

    private static async Task SendBinaryEventAsync(WebSocket socket, int attachments, int size)
    {
        var placeholders = string.Join(",", Enumerable.Range(0, attachments).Select(n => $"{{\"_placeholder\":true,\"num\":{n}}}"));
        await RawEngineIo.SendTextAsync(socket, $"45{attachments}-1[\"x\",{placeholders}]");
        try
        {
            for (var i = 0; i < attachments; i++)
            {
                await RawEngineIo.SendBinaryAsync(socket, new byte[size]);
            }
        }
        catch (WebSocketException)
        {
            // The server may refuse the packet from its text on, and close the socket before its attachments are sent.
        }
    }
}

[Collection(MemoryMeasurement.Name)]
public sealed class BinaryAttachmentMemoryTests
{
    [Fact]
    public async Task Placeholders_that_all_point_at_one_large_attachment_close_the_session_without_expanding_it()
    {
        const int attachmentSize = 256 * 1024;
        const int placeholders = 400;

        // As the hub configures it: SignalR's own 32 KiB default would refuse the attachment before the hub binds it.
        await using var server = await BridgeServer.StartAsync(hub: hub => hub.MaximumReceiveMessageSize = 2_000_000);
        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync();
        var text = new StringBuilder("451-1[\"x\"");
        for (var i = 0; i < placeholders; i++)
        {
            text.Append(",{\"_placeholder\":true,\"num\":0}");
        }

        var before = MemoryMeasurement.AllocatedBytes();
        await RawEngineIo.SendTextAsync(socket, text.Append(']').ToString());
        try
        {
            await RawEngineIo.SendBinaryAsync(socket, new byte[attachmentSize]);
        }
        catch (WebSocketException)
        {
            // Refused from its text on: the socket may be closed before the attachment is sent.
        }

        var answer = await RawEngineIo.NextAsync(socket, m => m.StartsWith("43", StringComparison.Ordinal), timeoutMs: 15_000);
        var allocated = MemoryMeasurement.AllocatedBytes() - before;

        // Expanded once per placeholder this is 400 × 256 KiB = 100 MiB; received once, a few copies of 256 KiB.
        Assert.True(allocated < 20L * 1024 * 1024, $"{allocated / (1024 * 1024)} MiB allocated for a 256 KiB attachment");
        Assert.True(answer is null, $"the hub answered {answer} instead of the session being closed");
    }
}
