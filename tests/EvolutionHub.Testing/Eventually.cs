namespace EvolutionHub.Testing;

/// <summary>Bounded waits that fail with a message saying what did not happen.</summary>
public static class Eventually
{
    public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout, string what)
    {
        var finished = await Task.WhenAny(task, Task.Delay(timeout));
        if (finished != task)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
        }

        return await task;
    }

    public static async Task WithTimeout(this Task task, TimeSpan timeout, string what)
    {
        var finished = await Task.WhenAny(task, Task.Delay(timeout));
        if (finished != task)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
        }

        await task;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; for state that raises no event (such as a count on another node).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
