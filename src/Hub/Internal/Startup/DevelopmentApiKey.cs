using System.Security.Cryptography;

namespace EvolutionHub.Internal.Startup;

/// <summary>
/// The global key a Development run makes up when none is configured, kept in <c>dev-apikey</c> beside the database (readable
/// by its owner only) so that every <c>dotnet run</c> uses the same one.
/// </summary>
internal static class DevelopmentApiKey
{
    public const string FileName = "dev-apikey";

    /// <summary>The key kept in the folder of <c>Storage:Path</c>, made and kept there if there is none yet.</summary>
    /// <returns>The key, and the file it is kept in.</returns>
    public static (string Key, string Path) LoadOrCreate(WebApplicationBuilder builder)
    {
        var storage = builder.Configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        var dataFolder = System.IO.Path.GetDirectoryName(System.IO.Path.Combine(builder.Environment.ContentRootPath, storage.Path))!;
        var path = System.IO.Path.Combine(dataFolder, FileName);
        if (TryRead(path) is { } existing)
        {
            return (existing, path);
        }

        Directory.CreateDirectory(dataFolder);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(key);
            return (key, path);
        }
        catch (IOException) when (TryRead(path) is { } written)
        {
            // Another run created it in the meantime: use that one.
            return (written, path);
        }
    }

    private static string? TryRead(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } key ? key : null;
}
