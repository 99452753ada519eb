using System.Net;
using System.Text;
using EvolutionHub.Bridge.Tests.Infrastructure;
using EvolutionHub.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EvolutionHub.Bridge.Tests.HostileInput;

/// <summary>Bytes that are not UTF-8 where a packet must be JSON text: malformed input, not a failure of the server.</summary>
public sealed class InvalidTextTests
{
    [Theory]
    [InlineData("42[\"\\uDF0D\"]")]
    [InlineData("42[\"message\",{\"\\uD83C\":1}]")]
    [InlineData("40/a,{\"apikey\":\"\\uDF0D\"}")]
    public async Task A_json_string_escaping_a_lone_surrogate_closes_the_session_as_malformed_without_an_error_log(string packet)
    {
        var logs = new RecordingLoggerProvider();
        await using var server = await BridgeServer.StartAsync(services: s => s.AddSingleton<ILoggerProvider>(logs).Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Debug));
        using var raw = new RawEngineIo(server.Url);
        var (socket, _) = await raw.ConnectNamespaceAsync();
        await RawEngineIo.SendTextAsync(socket, packet);
        Assert.Null(await RawEngineIo.NextAsync(socket, m => m.StartsWith("40/a,", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Error);
        Assert.Contains(logs.Entries, entry => entry.Message.Contains("invalid JSON payload", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("42[\"a\x80\"]")]
    [InlineData("42[\"message\",\"\xC3\"]")]
    [InlineData("42/room\xFF,[\"a\"]")]
    public async Task A_polling_packet_that_is_not_utf8_closes_the_session_as_malformed_without_an_error_log(string packet)
    {
        var logs = new RecordingLoggerProvider();
        await using var server = await BridgeServer.StartAsync(services: s => s.AddSingleton<ILoggerProvider>(logs).Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Debug));
        using var raw = new RawEngineIo(server.Url);
        var (sid, _) = await raw.OpenPollingAsync();
        var query = $"EIO=4&transport=polling&sid={sid}";
        Assert.Equal(HttpStatusCode.OK, (await raw.PostAsync(query, "40")).StatusCode);
        await Eventually.UntilAsync(
            async () => (await (await raw.GetAsync(query)).Content.ReadAsStringAsync()).Contains("40{\"sid\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the namespace to connect");

        // Latin-1 turns each character of the packet into one byte: \x80, \xC3 and \xFF are not UTF-8 on their own.
        await raw.PostAsync(query, Encoding.Latin1.GetBytes(packet));
        await Eventually.UntilAsync(async () => (await raw.GetAsync(query)).StatusCode == HttpStatusCode.BadRequest,
            TimeSpan.FromSeconds(5), "the session to be closed");

        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Error);
        Assert.Contains(logs.Entries, entry => entry.Message.Contains("invalid UTF-8", StringComparison.Ordinal));
    }
}
