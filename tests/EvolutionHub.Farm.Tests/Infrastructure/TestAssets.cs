using System.Reflection;

namespace EvolutionHub.Farm.Tests.Infrastructure;

/// <summary>Paths the build wrote into this assembly: the farm's redis.conf and nginx.local.conf.</summary>
public static class TestAssets
{
    public static string RedisConf { get; } = Metadata("RedisConf");

    public static string NginxConf { get; } = Metadata("NginxConf");

    private static string Metadata(string key)
    {
        var path = typeof(TestAssets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == key).Value!;
        return File.Exists(path) ? path : throw new FileNotFoundException($"{key} not found; build the solution first.", path);
    }
}
