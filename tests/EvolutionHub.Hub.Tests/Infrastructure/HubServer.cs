using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EvolutionHub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// A real hub on real Kestrel at 127.0.0.1 and a free port, with its own database file, hosted inside the test process
/// (its services reachable from the test). <see cref="HubProcess"/> runs the hub as a process of its own instead.
/// </summary>
public sealed class HubServer : IAsyncDisposable
{
    public const string GlobalKey = "test-global-key-7f3a9c";

    private readonly WebApplication _app;

    private HubServer(WebApplication app, Uri baseUri, string storagePath)
    {
        _app = app;
        BaseUri = baseUri;
        StoragePath = storagePath;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri BaseUri { get; }

    public string StoragePath { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static string NewStoragePath() => HubProcess.NewDataPath();

    public static async Task<HubServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? storagePath = null)
    {
        storagePath ??= NewStoragePath();
        var values = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["environment"] = "Production",
            ["Authentication:ApiKey"] = GlobalKey,
            ["Storage:Path"] = storagePath,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        return await StartWithAsync(values, settings, storagePath);
    }

    /// <summary>A hub whose content root is <paramref name="contentRoot"/> and whose <c>Storage:Path</c> is left to its default.</summary>
    public static async Task<HubServer> StartInContentRootAsync(string contentRoot, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["contentRoot"] = contentRoot,
            ["urls"] = "http://127.0.0.1:0",
            ["environment"] = "Production",
            ["Authentication:ApiKey"] = GlobalKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        return await StartWithAsync(values, settings, Path.Combine(contentRoot, "data", "evolutionhub.db"));
    }

    private static async Task<HubServer> StartWithAsync(Dictionary<string, string?> values, IReadOnlyDictionary<string, string?>? settings, string storagePath)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = EvolutionHubApplication.Create([.. values.Select(setting => $"--{setting.Key}={setting.Value}")]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new HubServer(app, new Uri(address), storagePath);
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? apiKey, string? json = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (apiKey is not null)
        {
            request.Headers.Add("apikey", apiKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string? apiKey, object body) =>
        SendAsync(HttpMethod.Post, path, apiKey, JsonSerializer.Serialize(body));

    public async Task PublishAsync(params object[] envelopes)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/events", GlobalKey, JsonSerializer.Serialize(envelopes));
        await Expect.StatusAsync(response, 202);
    }

    public async Task RegisterAsync(string instance, string token)
    {
        using var response = await SendAsync(HttpMethod.Put, $"/api/instances/{instance}", GlobalKey, JsonSerializer.Serialize(new { token }));
        Assert.True(response.IsSuccessStatusCode, $"registering {instance} answered {(int)response.StatusCode}");
    }

    public HubConnection SignalR(
        string? accessToken,
        HttpTransportType transport = HttpTransportType.WebSockets,
        bool messagePack = false,
        Action<HttpConnectionOptions>? configure = null,
        string query = "")
    {
        var builder = new HubConnectionBuilder().WithUrl(Url("/hubs/events" + query), transport, options =>
        {
            if (accessToken is not null)
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            }

            configure?.Invoke(options);
        });
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public static class Expect
{
    public static async Task StatusAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
    }

    public static async Task ProblemAsync(HttpResponseMessage response, int status)
    {
        await StatusAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, int status)
    {
        await StatusAsync(response, status);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
