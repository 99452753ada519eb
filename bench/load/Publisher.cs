using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// Publishes <c>messages.upsert</c> envelopes through <c>POST /api/events</c>, one envelope or an array per request.
/// Each event's <c>data</c> carries a sequence number (<c>bseq</c>, from 1) and the send time (<c>bts</c>, a
/// <see cref="Stopwatch"/> timestamp of this process) beside a WhatsApp-like message of the configured size.
/// </summary>
public sealed class Publisher : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly string _apiKey;
    private readonly string _instance;
    private readonly string _text;
    private long _published;

    public Publisher(Uri server, string apiKey, string instance, int textLength)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        _apiKey = apiKey;
        _instance = instance;
        _text = string.Create(textLength, 0, (chars, _) =>
        {
            for (var index = 0; index < chars.Length; index++)
            {
                chars[index] = (char)('a' + index % 26);
            }
        });
    }

    public long Published => Interlocked.Read(ref _published);

    public void Dispose() => _http.Dispose();

    /// <summary>Publishes <paramref name="count"/> events in one request and checks the <c>202 {"accepted":count}</c> answer.</summary>
    public async Task PublishAsync(int count, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(1024 * count);
        using (var writer = new Utf8JsonWriter(body))
        {
            if (count > 1)
            {
                writer.WriteStartArray();
            }

            for (var index = 0; index < count; index++)
            {
                WriteEnvelope(writer, _published + index + 1);
            }

            if (count > 1)
            {
                writer.WriteEndArray();
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = new ReadOnlyMemoryContent(body.WrittenMemory) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Add("apikey", _apiKey);
        using var response = await _http.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted || JsonDocument.Parse(answer).RootElement.GetProperty("accepted").GetInt32() != count)
        {
            throw new InvalidOperationException($"POST /api/events answered {(int)response.StatusCode} {answer}");
        }

        Interlocked.Add(ref _published, count);
    }

    private void WriteEnvelope(Utf8JsonWriter writer, long sequence)
    {
        writer.WriteStartObject();
        writer.WriteString("event", "messages.upsert");
        writer.WriteString("instance", _instance);
        writer.WriteStartObject("data");
        writer.WriteNumber("bseq", sequence);
        writer.WriteNumber("bts", Stopwatch.GetTimestamp());
        writer.WriteStartObject("key");
        writer.WriteString("remoteJid", "5511999999999@s.whatsapp.net");
        writer.WriteBoolean("fromMe", false);
        writer.WriteString("id", $"BENCH{sequence:D12}");
        writer.WriteEndObject();
        writer.WriteString("pushName", "Bench");
        writer.WriteString("status", "DELIVERY_ACK");
        writer.WriteStartObject("message");
        writer.WriteString("conversation", _text);
        writer.WriteEndObject();
        writer.WriteString("messageType", "conversation");
        writer.WriteNumber("messageTimestamp", 1764288000 + sequence);
        writer.WriteString("source", "android");
        writer.WriteEndObject();
        writer.WriteString("server_url", "http://evolution.local:8080");
        writer.WriteString("sender", "5511888888888@s.whatsapp.net");
        writer.WriteEndObject();
    }
}
