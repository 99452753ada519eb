using System.Numerics;

namespace EvolutionHub.Bench.Load;

/// <summary>
/// Latencies in microseconds: exact below 1 024 µs, then 512 sub-buckets per power of two (0.2 % precision),
/// so recording is one atomic increment whatever the load.
/// </summary>
public sealed class LatencyHistogram
{
    private const int ExactLimit = 1024;
    private const int ExactBits = 10;
    private const int SubBucketBits = 9;
    private const int SubBuckets = 1 << SubBucketBits;

    private readonly long[] _counts = new long[ExactLimit + (64 - ExactBits) * SubBuckets];

    public void Record(long microseconds) => Interlocked.Increment(ref _counts[IndexOf(Math.Max(0, microseconds))]);

    public void Reset() => Array.Clear(_counts);

    public long Count => _counts.Sum();

    /// <summary>The smallest recorded value that at least <paramref name="fraction"/> of the values do not exceed.</summary>
    public double PercentileMilliseconds(double fraction)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(fraction * total);
        long seen = 0;
        for (var index = 0; index < _counts.Length; index++)
        {
            seen += _counts[index];
            if (seen >= rank)
            {
                return ValueOf(index) / 1000.0;
            }
        }

        return double.NaN;
    }

    private static int IndexOf(long microseconds)
    {
        if (microseconds < ExactLimit)
        {
            return (int)microseconds;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)microseconds);
        var subBucket = (int)(microseconds >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return ExactLimit + (exponent - ExactBits) * SubBuckets + subBucket;
    }

    private static long ValueOf(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        var exponent = (index - ExactLimit) / SubBuckets + ExactBits;
        var subBucket = (index - ExactLimit) % SubBuckets;
        return (long)(SubBuckets + subBucket) << (exponent - SubBucketBits);
    }
}
