using System.Collections.Concurrent;
using System.Diagnostics;
using CsCheck;
using Xunit.Abstractions;

namespace EvolutionHub.Fuzz.Tests;

/// <summary>
/// Runs one decoder over generated inputs and holds it to three properties: no exception escapes but the decoder's own
/// protocol exceptions, no input takes longer than <see cref="TimePerInput"/>, and no input allocates more than its budget
/// (a small multiple of its size plus a constant), measured on the decoding thread. The number of inputs per target is
/// <c>FUZZ_ITERATIONS</c> (default 20 000).
/// </summary>
internal sealed class Fuzzing(ITestOutputHelper output)
{
    public static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var iterations) && iterations > 0 ? iterations : 20_000;

    /// <summary>Generous: the machine is shared, and a garbage collection may land in any input.</summary>
    private static readonly TimeSpan TimePerInput = TimeSpan.FromSeconds(2);

    /// <summary>An input still running after this is a hang: the test fails with it while the decoder spins on.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<int, (string Input, long StartedAt)> _running = new();

    /// <summary>
    /// Samples <paramref name="inputs"/> through <paramref name="decode"/>, which returns whether the input decoded (for the
    /// report); <paramref name="refusals"/> are the exceptions by which the decoder refuses an input. <paramref name="size"/>
    /// tells an input's text bytes and binary bytes (attachments), which have budgets of their own.
    /// </summary>
    public async Task CheckAsync<T>(string target, Gen<T> inputs, Func<T, bool> decode, Func<T, (int Text, int Binary)> size, Budget budget,
        Func<T, string> print, params Type[] refusals)
    {
        long decoded = 0, refused = 0;
        var worst = (Ratio: 0.0, Allocated: 0L, Size: (Text: 0, Binary: 0));
        double textRate = 0, binaryRate = 0;
        var clock = Stopwatch.StartNew();
        void Check(T input)
        {
            var thread = Environment.CurrentManagedThreadId;
            _running[thread] = (print(input), Stopwatch.GetTimestamp());
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            try
            {
                Interlocked.Increment(ref decode(input) ? ref decoded : ref refused);
            }
            catch (Exception ex) when (refusals.Contains(ex.GetType()))
            {
                Interlocked.Increment(ref refused);
            }
            finally
            {
                _running.TryRemove(thread, out _);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var length = size(input);
            if (allocated > budget.For(length.Text, length.Binary))
            {
                throw new InvalidOperationException($"{target}: {allocated} bytes allocated for {length.Text} + {length.Binary} bytes of input, over {budget}");
            }

            if (elapsed > TimePerInput)
            {
                throw new TimeoutException($"{target}: an input of {length.Text} + {length.Binary} bytes took {elapsed.TotalMilliseconds:F0} ms");
            }

            // How close to its budget an input came, beyond the constant.
            var ratio = (double)Math.Max(0, allocated - budget.Constant) / Math.Max(1, budget.For(length.Text, length.Binary) - budget.Constant);
            lock (_running)
            {
                if (ratio > worst.Ratio)
                {
                    worst = (ratio, allocated, length);
                }

                // What large inputs actually cost per byte: text alone, and binary data that outweighs its text.
                if (length.Binary == 0 && length.Text >= 1024)
                {
                    textRate = Math.Max(textRate, (double)allocated / length.Text);
                }
                else if (length.Binary >= 4096 && length.Binary >= 4 * length.Text)
                {
                    binaryRate = Math.Max(binaryRate, (double)allocated / length.Binary);
                }
            }
        }

        var sampling = Task.Factory.StartNew(() => inputs.Sample(Check, iter: Iterations, print: print), TaskCreationOptions.LongRunning);
        while (await Task.WhenAny(sampling, Task.Delay(200)) != sampling)
        {
            foreach (var (_, (input, startedAt)) in _running)
            {
                if (Stopwatch.GetElapsedTime(startedAt) > Hang)
                {
                    throw new TimeoutException($"{target}: an input has run for more than {Hang.TotalSeconds} s: {input}");
                }
            }
        }

        await sampling;
        output.WriteLine($"{target}: {Iterations} inputs in {clock.Elapsed.TotalSeconds:F1} s; {decoded} decoded, {refused} refused; budget {budget}; " +
            $"closest: {worst.Allocated} bytes for {worst.Size.Text} + {worst.Size.Binary} bytes ({worst.Ratio:P0} of the budget beyond its constant); " +
            $"largest inputs allocated up to {textRate:F1} × their text, {binaryRate:F1} × their binary data");
        Assert.True(decoded > 0, $"{target}: no input decoded, so the decoder was not reached past its first check");
    }

    public static string Hex(byte[] bytes) => bytes.Length <= 512 ? Convert.ToHexString(bytes) : Convert.ToHexString(bytes.AsSpan(0, 512)) + $"… ({bytes.Length} bytes)";
}

/// <summary>What one input may allocate: so many bytes per byte of text and per byte of binary data, plus a constant.</summary>
internal readonly record struct Budget(int PerTextByte, int PerBinaryByte, int Constant)
{
    public long For(int text, int binary) => ((long)PerTextByte * text) + ((long)PerBinaryByte * binary) + Constant;

    public override string ToString() => $"{PerTextByte} × text + {PerBinaryByte} × binary + {Constant}";
}
