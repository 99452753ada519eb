using System.Globalization;

namespace EvolutionHub.Hub.Tests;

/// <summary>The samples of one <c>/metrics</c> scrape (Prometheus text format), looked up by name and labels.</summary>
public sealed class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labelsStart = line.IndexOf('{');
            var nameEnd = labelsStart >= 0 ? labelsStart : line.IndexOf(' ');
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var valueStart = nameEnd + 1;
            if (labelsStart >= 0)
            {
                valueStart = ReadLabels(line, labelsStart + 1, labels) + 1;
            }

            var value = line[valueStart..].Trim().Split(' ')[0];
            _samples.Add((line[..nameEnd], labels, double.Parse(value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient http, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (apiKey is not null)
        {
            request.Headers.Add("apikey", apiKey);
        }

        using var response = await http.SendAsync(request);
        await Expect.StatusAsync(response, 200);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sum of the samples named <paramref name="name"/> that carry every label given; null when there is none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        var matching = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>Reads <c>a="x",b="y\"z"}</c> from <paramref name="start"/>; returns the index of the closing brace.</summary>
    private static int ReadLabels(string line, int start, Dictionary<string, string> labels)
    {
        var i = start;
        while (line[i] != '}')
        {
            var equals = line.IndexOf('=', i);
            var name = line[i..equals].Trim(',', ' ');
            var value = new System.Text.StringBuilder();
            i = equals + 2;
            while (line[i] != '"')
            {
                if (line[i] == '\\')
                {
                    i++;
                }

                value.Append(line[i++]);
            }

            labels[name] = value.ToString();
            i++;
            if (line[i] == ',')
            {
                i++;
            }
        }

        return i;
    }
}
