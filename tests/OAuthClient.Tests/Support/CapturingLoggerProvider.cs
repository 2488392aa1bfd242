using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Tests.Support;

/// <summary>Keeps every log line at every level, with its exception, so tests can read what was logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly object _gate = new();
    private readonly List<(int EventId, int Count, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyCollection<LogLine> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>Completes once <paramref name="count"/> lines with <paramref name="eventId"/> have been logged: work done in the background announces its end this way.</summary>
    public Task WaitForEventAsync(int eventId, int count = 1)
    {
        lock (_gate)
        {
            if (Count(eventId) >= count)
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((eventId, count, seen));
            // A guard against a hang, not a wait: the event normally arrives within milliseconds.
            return seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private int Count(int eventId) => _lines.Count(l => l.EventId.Id == eventId);

    private void Add(LogLine line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => Count(w.EventId) >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Seen.SetResult();
            }
        }
    }

    public void Dispose()
    {
    }

    public sealed record LogLine(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message} {Exception}";
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LogLine(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
