using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using EvolutionHub.Internal.Authentication;
using EvolutionHub.Internal.Ingest;
using EvolutionHub.Internal.Instances;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EvolutionHub.Hub.Tests;

/// <summary>
/// Property tests of what reads untrusted bytes on the ingest path: the body reader, the webhook's credential scan, the
/// document parse, <see cref="IncomingEvent.TryRead"/> and the <c>/websocket/set</c> reader. Random bytes and mutations of
/// valid bodies: no exception escapes, no input takes long, and no input costs more than a small multiple of its size.
/// <c>FUZZ_ITERATIONS</c> sets the inputs per property (default 2 000).
/// </summary>
public sealed class IngestFuzzTests(ITestOutputHelper output)
{
    private const int AllocationMultiple = 40;
    private const int AllocationAllowance = 64 * 1024;
    // Not a speed target (bench/ measures speed): a ceiling far above any linear cost on a busy machine, which a
    // quadratic reader of a 4 MiB body still crosses by minutes.
    private static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(15);

    private static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out var configured) && configured > 0 ? configured : 2_000;

    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 2048];

    private static readonly Gen<byte[]> Bodies = Gen.Frequency(
        (1, RandomBytes),
        (2, ValidBodies()),
        (4, Gen.Select(ValidBodies(), Gen.Int.Array[1, 6], Mutate)));

    [Fact]
    public void The_webhook_credential_scan_never_throws_and_agrees_with_the_document_on_what_parses()
    {
        var worst = new WorstRatio();
        Bodies.Sample(body =>
        {
            var (found, key, instance) = Measure(body.Length, worst, () =>
                (WebhookCredentialScan.TryScan(body, out var key, out var instance), key, instance));

            if (!TryParse(body, out var document))
            {
                Assert.False(found, "the scan accepted what the document parser refuses");
                return;
            }

            using (document)
            {
                Assert.True(found, "the scan refused what the document parser accepts");
                var root = document.RootElement;
                Assert.Equal(StringOf(root, "apikey"), key);
                Assert.Equal(StringOf(root, "instance"), instance);
            }
        }, iter: Iterations);
        output.WriteLine($"scan: {Iterations} inputs, worst allocation {worst}");
    }

    [Fact]
    public void Reading_parsing_and_interpreting_a_body_never_throws_and_costs_a_small_multiple_of_its_size()
    {
        var worst = new WorstRatio();
        var budget = new UnauthenticatedBodyBudget(Options.Create(new HttpLimitsOptions { MaxUnauthenticatedBodyBytes = 1 << 20 }));
        Bodies.Sample(body => Measure(body.Length, worst, () =>
        {
            var (read, outcome) = RequestBody.ReadAsync(new MemoryStream(body), body.Length, 1 << 20, budget, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(BodyOutcome.Read, outcome);
            using (read!)
            {
                read!.Authenticated();
                if (JsonBody.TryParse(read, out var document))
                {
                    var root = document!.RootElement;
                    IncomingEvent.TryRead(root, "messages-upsert", out _, out _);
                    if (root.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in root.EnumerateArray())
                        {
                            IncomingEvent.TryRead(item, defaultEvent: null, out _, out _);
                        }
                    }

                    WebsocketSettingsRequest.TryParse(root, out _, out _);
                }
            }

            return 0;
        }), iter: Iterations);

        // Every reservation came back.
        Assert.True(budget.TryTake(1 << 20) && !budget.TryTake(1));
        output.WriteLine($"read + parse + interpret: {Iterations} inputs, worst allocation {worst}");
    }

    [Fact]
    public void The_body_reader_refuses_exactly_the_bodies_over_the_limit_and_keeps_the_bytes_of_the_others()
    {
        var cases = Gen.Select(RandomBytes, Gen.Int[0, 2100], Gen.Bool, Gen.Int[1, 700]);
        cases.Sample((body, limit, chunked, readSize) =>
        {
            var budget = new UnauthenticatedBodyBudget(Options.Create(new HttpLimitsOptions { MaxUnauthenticatedBodyBytes = 1 << 20 }));
            var stream = new TrickleStream(body, readSize);
            var (read, outcome) = RequestBody.ReadAsync(stream, chunked ? null : body.Length, limit, budget, CancellationToken.None).GetAwaiter().GetResult();
            if (body.Length > limit)
            {
                Assert.Equal(BodyOutcome.TooLarge, outcome);
                Assert.Null(read);
            }
            else
            {
                Assert.Equal(BodyOutcome.Read, outcome);
                using (read!)
                {
                    Assert.Equal(body, read!.Span.ToArray());
                }
            }

            Assert.True(budget.TryTake(1 << 20), "a reservation was not returned");
        }, iter: Iterations);
    }

    [Fact]
    public void A_body_larger_than_the_budget_left_is_refused_as_busy_and_returns_what_it_took()
    {
        Gen.Select(RandomBytes, Gen.Int[0, 2100], Gen.Bool).Sample((body, available, chunked) =>
        {
            var budget = new UnauthenticatedBodyBudget(Options.Create(new HttpLimitsOptions { MaxUnauthenticatedBodyBytes = available }));
            var (read, outcome) = RequestBody.ReadAsync(new TrickleStream(body, 100), chunked ? null : body.Length, 1 << 20, budget, CancellationToken.None).GetAwaiter().GetResult();
            read?.Dispose();

            // A declared length is reserved whole before reading; a chunked body reserves as it grows, a first chunk at once.
            if (!chunked)
            {
                Assert.Equal(body.Length > available ? BodyOutcome.Busy : BodyOutcome.Read, outcome);
            }
            else if (body.Length > available)
            {
                Assert.Equal(BodyOutcome.Busy, outcome);
            }

            Assert.True(budget.TryTake(available) && !budget.TryTake(1), "the budget did not come back whole");
        }, iter: Iterations);
    }

    [Theory]
    [InlineData("1,")]
    [InlineData("[],")]
    [InlineData("{},")]
    [InlineData("\"\",")]
    public void The_densest_bodies_of_4_MiB_cost_a_small_multiple_of_their_size(string unit)
    {
        var text = new StringBuilder("[");
        while (text.Length < 4 * 1024 * 1024)
        {
            text.Append(unit);
        }

        var body = Encoding.UTF8.GetBytes(text.Append("0]").ToString());
        var worst = new WorstRatio();
        Measure(body.Length, worst, () =>
        {
            var (read, _) = RequestBody.ReadAsync(new MemoryStream(body), body.Length, body.Length, budget: null, CancellationToken.None).GetAwaiter().GetResult();
            using (read!)
            {
                Assert.True(JsonBody.TryParse(read!, out var document));
                Assert.False(IncomingEvent.TryRead(document!.RootElement, null, out _, out _));
                Assert.True(WebhookCredentialScan.TryScan(read!.Span, out _, out _));
            }

            return 0;
        });
        output.WriteLine($"[{unit}…]: {worst}");
    }

    private static T Measure<T>(int size, WorstRatio worst, Func<T> action)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        var result = action();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(elapsed < MaxTimePerInput, $"{size} bytes took {elapsed.TotalMilliseconds:0} ms");
        Assert.True(allocated <= (long)AllocationMultiple * size + AllocationAllowance, $"{size} bytes allocated {allocated} bytes");
        worst.Observe(size, allocated);
        return result;
    }

    /// <summary>What the hub takes for JSON: UTF-8 throughout (the document parser leaves the bytes of strings unchecked), and parsed.</summary>
    private static bool TryParse(byte[] body, out JsonDocument document)
    {
        document = null!;
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return false;
        }

        try
        {
            document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Valid webhook and envelope bodies, some with repeated or non-string credentials.</summary>
    private static Gen<byte[]> ValidBodies()
    {
        var names = Gen.OneOf(Gen.Const("messages.upsert"), Gen.Const("MESSAGES_UPSERT"), Gen.String[0, 12]);
        var scalar = Gen.OneOf(
            Gen.Int.Select(n => n.ToString(CultureInfo.InvariantCulture)),
            Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0"),
            Gen.String[0, 20].Select(text => JsonSerializer.Serialize(text)),
            Gen.OneOf(Gen.Const("true"), Gen.Const("false"), Gen.Const("null")));
        var array = scalar.Array[0, 6].Select(items => "[" + string.Join(",", items) + "]");
        var value = Gen.OneOf(scalar, array, Gen.Select(Gen.String[0, 8], array, (key, items) => $"{{{JsonSerializer.Serialize(key)}:{items}}}"));
        var credential = Gen.OneOf(Gen.String[0, 30].Select(text => JsonSerializer.Serialize(text)), value);
        var property = Gen.OneOf(
            Gen.Select(names, name => $"\"event\":{JsonSerializer.Serialize(name)}"),
            Gen.Select(credential, instance => $"\"instance\":{instance}"),
            Gen.Select(credential, key => $"\"apikey\":{key}"),
            Gen.Select(value, data => $"\"data\":{data}"),
            Gen.Select(Gen.OneOf(Gen.Const("server_url"), Gen.Const("date_time"), Gen.Const("sender"), Gen.Const("destination")), value, (name, v) => $"\"{name}\":{v}"),
            Gen.Select(Gen.Bool, scalar.Array[0, 4], (enabled, events) => $"\"websocket\":{{\"enabled\":{(enabled ? "true" : "false")},\"events\":[{string.Join(",", events)}]}}"));
        var envelope = property.Array[0, 9].Select(properties => "{" + string.Join(",", properties) + "}");
        return Gen.OneOf(envelope, envelope.Array[1, 4].Select(items => "[" + string.Join(",", items) + "]"))
            .Select(text => Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Flips, deletes, inserts, repeats or cuts bytes of <paramref name="body"/>, driven by <paramref name="operations"/>.</summary>
    private static byte[] Mutate(byte[] body, int[] operations)
    {
        var bytes = new List<byte>(body);
        foreach (var operation in operations)
        {
            var at = bytes.Count == 0 ? 0 : (int)((uint)operation % (uint)bytes.Count);
            var span = 1 + (int)((uint)operation / 7 % 8);
            switch ((uint)operation % 5)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)(operation >> 8);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(span, bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Repeat((byte)"{}[]\",:\\\u00e9 1"[span % 12], span));
                    break;
                case 3:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(span * 4, bytes.Count - at)));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>A stream that hands out at most a few bytes per read, as a network does.</summary>
    private sealed class TrickleStream(byte[] bytes, int readSize) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }

    private sealed class WorstRatio
    {
        private readonly Lock _lock = new();
        private double _ratio;
        private string _case = "none";

        public void Observe(int size, long allocated)
        {
            if (size < 256)
            {
                return;
            }

            lock (_lock)
            {
                var ratio = allocated / (double)size;
                if (ratio > _ratio)
                {
                    _ratio = ratio;
                    _case = $"{allocated} bytes for {size} ({ratio:0.0}×)";
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _case;
            }
        }
    }
}
