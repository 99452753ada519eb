using System.Text.RegularExpressions;
using EvolutionHub.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EvolutionHub.Hub.Tests;

public sealed partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(NodeScript.NodeDirectory, "..", "..", "README.md"));

    /// <summary>The SignalR client example compiles as a <c>dotnet new console</c> program with Microsoft.AspNetCore.SignalR.Client.</summary>
    [Fact]
    public void The_SignalR_client_example_compiles_as_written()
    {
        var section = Readme[Readme.IndexOf("### SignalR", StringComparison.Ordinal)..];
        var example = CSharpBlock().Match(section).Groups["code"].Value;
        Assert.Contains("WithAutomaticReconnect()", example, StringComparison.Ordinal);

        // The implicit usings of a console project.
        const string implicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
        var compilation = CSharpCompilation.Create(
            "ReadmeExample",
            [CSharpSyntaxTree.ParseText(implicitUsings), CSharpSyntaxTree.ParseText(example)],
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(path => MetadataReference.CreateFromFile(path)),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var output = new MemoryStream();
        var result = compilation.Emit(output);

        Assert.True(result.Success, string.Join('\n', result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [GeneratedRegex("```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
