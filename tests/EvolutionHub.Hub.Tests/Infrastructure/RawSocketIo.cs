using System.Text;
using System.Text.Json;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// Socket.IO spoken by hand over Engine.IO v4 long-polling, for what a real client will not send (a namespace such as
/// <c>/..</c>, which socket.io-client's URL parsing turns into <c>/</c>) and for many CONNECTs on one session.
/// </summary>
public sealed class RawSocketIo
{
    private readonly HttpClient _http;
    private readonly string _sid;
    private readonly Action<HttpRequestMessage>? _configure;

    private RawSocketIo(HttpClient http, string sid, Action<HttpRequestMessage>? configure)
    {
        _http = http;
        _sid = sid;
        _configure = configure;
    }

    public static async Task<RawSocketIo> OpenAsync(HttpClient http, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/socket.io/?EIO=4&transport=polling");
        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && body.StartsWith("0{", StringComparison.Ordinal), $"handshake answered {(int)response.StatusCode}: {body}");
        return new RawSocketIo(http, JsonDocument.Parse(body[1..]).RootElement.GetProperty("sid").GetString()!, configure);
    }

    /// <summary>Sends CONNECT for <paramref name="namespace"/> with <c>{"apikey": key}</c> and returns the server's answer packet.</summary>
    public async Task<string> ConnectAsync(string @namespace, string? key)
    {
        var auth = key is null ? "" : JsonSerializer.Serialize(new { apikey = key });
        using (var post = new HttpRequestMessage(HttpMethod.Post, $"/socket.io/?EIO=4&transport=polling&sid={_sid}")
        {
            Content = new StringContent($"40{@namespace},{auth}", Encoding.UTF8, "text/plain"),
        })
        {
            _configure?.Invoke(post);
            using var posted = await _http.SendAsync(post);
            Assert.True(posted.IsSuccessStatusCode, $"the CONNECT post answered {(int)posted.StatusCode}");
        }

        using var poll = new HttpRequestMessage(HttpMethod.Get, $"/socket.io/?EIO=4&transport=polling&sid={_sid}");
        _configure?.Invoke(poll);
        using var answer = await _http.SendAsync(poll);
        return await answer.Content.ReadAsStringAsync();
    }
}
