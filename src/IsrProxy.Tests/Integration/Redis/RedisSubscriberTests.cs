using System.Text;
using System.Threading.Channels;
using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsrProxy.Tests.Integration.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisSubscriberTests(RedisServerFixture redis)
{
    private readonly string _prefix = RedisServerFixture.UniquePrefix();

    [Fact]
    public async Task Subscribe_PublishedMessages_ReachHandlerInOrder()
    {
        await using var publisher = await redis.ConnectAsync();
        await using var subscriber = await ConnectSubscriberAsync(redis.ConnectionString);
        var received = Channel.CreateUnbounded<string>();
        await subscriber.SubscribeAsync(_prefix + "events", m => received.Writer.TryWrite(Encoding.UTF8.GetString(m.Span)), CancellationToken.None);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(1, await publisher.PublishAsync(_prefix + "events", Encoding.UTF8.GetBytes($"m{i}"), CancellationToken.None));
        }

        var messages = await Eventually.WithinAsync(TakeAsync(received, 20), "20 messages arrive");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), messages);
        Assert.Equal(20, subscriber.MessagesReceived);
    }

    [Fact]
    public async Task Subscribe_TwoChannelsAndTwoHandlers_EachGetsOnlyItsChannel()
    {
        await using var publisher = await redis.ConnectAsync();
        await using var subscriber = await ConnectSubscriberAsync(redis.ConnectionString);
        var a = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a2 = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var b = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await subscriber.SubscribeAsync(_prefix + "a", m => a.TrySetResult(Encoding.UTF8.GetString(m.Span)), CancellationToken.None);
        await subscriber.SubscribeAsync(_prefix + "a", m => a2.TrySetResult(Encoding.UTF8.GetString(m.Span)), CancellationToken.None);
        await subscriber.SubscribeAsync(_prefix + "b", m => b.TrySetResult(Encoding.UTF8.GetString(m.Span)), CancellationToken.None);

        await publisher.PublishAsync(_prefix + "b", "to-b"u8.ToArray(), CancellationToken.None);
        await publisher.PublishAsync(_prefix + "a", "to-a"u8.ToArray(), CancellationToken.None);
        Assert.Equal("to-a", await Eventually.WithinAsync(a.Task, "first handler of a"));
        Assert.Equal("to-a", await Eventually.WithinAsync(a2.Task, "second handler of a"));
        Assert.Equal("to-b", await Eventually.WithinAsync(b.Task, "handler of b"));
        Assert.Equal([_prefix + "a", _prefix + "b"], subscriber.Channels.Order());
    }

    [Fact]
    public async Task Unsubscribe_StopsDelivery()
    {
        await using var publisher = await redis.ConnectAsync();
        await using var subscriber = await ConnectSubscriberAsync(redis.ConnectionString);
        await subscriber.SubscribeAsync(_prefix + "u", _ => { }, CancellationToken.None);
        Assert.Equal(1, await publisher.PublishAsync(_prefix + "u", "x"u8.ToArray(), CancellationToken.None));
        await subscriber.UnsubscribeAsync(_prefix + "u", CancellationToken.None);
        Assert.Equal(0, await publisher.PublishAsync(_prefix + "u", "x"u8.ToArray(), CancellationToken.None));
        Assert.Empty(subscriber.Channels);
    }

    [Fact]
    public async Task HandlerThrows_IsLoggedAndLaterMessagesStillArrive()
    {
        var logs = new TestLogSink();
        var logger = logs.CreateLogger("IsrProxy.Redis");
        await using var publisher = await redis.ConnectAsync();
        await using var subscriber = await RedisSubscriber.ConnectAsync(
            RedisServerFixture.Options(redis.ConnectionString), logger, TimeProvider.System, CancellationToken.None);
        var second = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await subscriber.SubscribeAsync(
            _prefix + "h",
            m =>
            {
                var text = Encoding.UTF8.GetString(m.Span);
                if (text == "boom")
                {
                    throw new InvalidOperationException("handler failure");
                }

                second.TrySetResult(text);
            },
            CancellationToken.None);

        await publisher.PublishAsync(_prefix + "h", "boom"u8.ToArray(), CancellationToken.None);
        await publisher.PublishAsync(_prefix + "h", "fine"u8.ToArray(), CancellationToken.None);
        Assert.Equal("fine", await Eventually.WithinAsync(second.Task, "the message after the failing one"));
        Assert.Equal(1, subscriber.HandlerFailures);
        var entry = Assert.Single(logs.Records, e => e.EventId.Id == RedisEventIds.MessageHandlerFailed);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains(_prefix + "h", entry.Message, StringComparison.Ordinal);
        Assert.Equal(RedisConnectionState.Connected, subscriber.State);
    }

    [Fact]
    public async Task ServerRestart_ResubscribesEveryChannelAndRaisesResubscribed()
    {
        await using var server = await redis.StartServerAsync();
        await using var subscriber = await ConnectSubscriberAsync(server.ConnectionString);
        var resubscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.Resubscribed += () => resubscribed.TrySetResult();
        subscriber.Disconnected += _ => disconnected.TrySetResult();
        var one = Channel.CreateUnbounded<string>();
        var two = Channel.CreateUnbounded<string>();
        await subscriber.SubscribeAsync("one", m => one.Writer.TryWrite(Encoding.UTF8.GetString(m.Span)), CancellationToken.None);
        await subscriber.SubscribeAsync("two", m => two.Writer.TryWrite(Encoding.UTF8.GetString(m.Span)), CancellationToken.None);

        await server.StopAsync();
        await Eventually.WithinAsync(disconnected.Task, "Disconnected is raised");
        Assert.False(resubscribed.Task.IsCompleted);
        await server.StartAsync();
        await Eventually.WithinAsync(resubscribed.Task, "Resubscribed is raised after the restart");

        await using var publisher = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        Assert.Equal(1, await publisher.PublishAsync("one", "after-1"u8.ToArray(), CancellationToken.None));
        Assert.Equal(1, await publisher.PublishAsync("two", "after-2"u8.ToArray(), CancellationToken.None));
        Assert.Equal("after-1", await Eventually.WithinAsync(one.Reader.ReadAsync().AsTask(), "message on one"));
        Assert.Equal("after-2", await Eventually.WithinAsync(two.Reader.ReadAsync().AsTask(), "message on two"));
        Assert.Equal(1, subscriber.Reconnects);
    }

    [Fact]
    public async Task Subscribe_WhileDisconnected_FailsFastAndRegistersNothing()
    {
        await using var server = await redis.StartServerAsync();
        await using var subscriber = await ConnectSubscriberAsync(server.ConnectionString);
        await server.StopAsync();
        await Eventually.TrueAsync(() => subscriber.State != RedisConnectionState.Connected, "the loss is noticed");
        var error = await Eventually.WithinAsync(
            Assert.ThrowsAsync<RedisConnectionException>(() => subscriber.SubscribeAsync("c", _ => { }, CancellationToken.None)),
            "subscribe while down fails");
        Assert.Contains("SUBSCRIBE c was not sent", error.Message, StringComparison.Ordinal);
        Assert.Empty(subscriber.Channels);
    }

    private static async Task<string[]> TakeAsync(Channel<string> channel, int count)
    {
        var items = new string[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = await channel.Reader.ReadAsync();
        }

        return items;
    }

    private static Task<RedisSubscriber> ConnectSubscriberAsync(string connectionString) =>
        RedisSubscriber.ConnectAsync(RedisServerFixture.Options(connectionString), NullLogger.Instance, TimeProvider.System, CancellationToken.None);
}
