using System.Collections.Concurrent;
using EvolutionHub.Bridge.Internal;

namespace EvolutionHub.Bridge.Tests;

public sealed class RandomIdsTests
{
    [Fact]
    public async Task Ids_are_twenty_url_safe_characters_and_never_repeat_across_threads()
    {
        var ids = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            for (var index = 0; index < 100; index++)
            {
                ids.Add(RandomIds.New());
            }
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(800, ids.Count);
        Assert.Equal(800, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            Assert.Equal(20, id.Length);
            Assert.True(id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), id);
        });
    }
}
