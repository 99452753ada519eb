namespace EvolutionHub.Internal.History;

/// <summary>
/// The last events of one stream, oldest first, at most a fixed number: a circular buffer that grows as events come, so
/// a quiet stream costs little.
/// </summary>
internal sealed class EventRing(int capacity)
{
    private HistoryEntry[] _items = new HistoryEntry[Math.Min(capacity, 16)];
    private int _head;

    public int Count { get; private set; }

    /// <summary>The offset of the last event appended, "" before the first; kept when the event itself is trimmed.</summary>
    public string Last { get; private set; } = "";

    /// <summary>When the last event was appended, a <see cref="TimeProvider"/> timestamp.</summary>
    public long LastAppendedAt { get; private set; }

    public HistoryEntry this[int index] => _items[(_head + index) % _items.Length];

    public void Add(HistoryEntry entry, long timestamp)
    {
        if (Count == capacity)
        {
            _items[_head] = entry;
            _head = (_head + 1) % _items.Length;
        }
        else
        {
            if (Count == _items.Length)
            {
                Grow();
            }

            _items[(_head + Count) % _items.Length] = entry;
            Count++;
        }

        Last = entry.Offset;
        LastAppendedAt = timestamp;
    }

    /// <summary>Lets go of the events and keeps <see cref="Last"/>: what came after it is still known to be nothing.</summary>
    public void Clear()
    {
        _items = [];
        _head = 0;
        Count = 0;
    }

    /// <summary>The index of the event at <paramref name="offset"/>, or -1 when the ring does not hold it.</summary>
    public int IndexOf(Offset offset)
    {
        var (low, high) = (0, Count - 1);
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            Offset.TryParse(this[middle].Offset, out var found);
            var order = found.CompareTo(offset);
            if (order == 0)
            {
                return middle;
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return -1;
    }

    private void Grow()
    {
        var grown = new HistoryEntry[Math.Min(capacity, Math.Max(16, _items.Length * 2))];
        for (var i = 0; i < Count; i++)
        {
            grown[i] = this[i];
        }

        _items = grown;
        _head = 0;
    }
}
