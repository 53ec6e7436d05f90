package dev.tandem.transport.netty;

import dev.tandem.cluster.runtime.Cancellable;
import dev.tandem.cluster.runtime.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@link Scheduler} on a Netty event loop. Netty orders scheduled tasks by deadline, then by
 * submission, which is the contract's "same instant, scheduling order". A task that throws is
 * logged and counted and does not disturb the loop.
 */
final class EventLoopScheduler implements Scheduler {
    private static final System.Logger LOG = System.getLogger(EventLoopScheduler.class.getName());

    private final EventLoop loop;
    private final Counter failures;

    EventLoopScheduler(EventLoop loop, Counter failures) {
        this.loop = loop;
        this.failures = failures;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        long nanos = delay.compareTo(Duration.ofDays(365 * 100L)) > 0 ? Long.MAX_VALUE / 2 : delay.toNanos();
        ScheduledFuture<?> f = loop.schedule(guarded(task), nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(guarded(Objects.requireNonNull(task, "task")));
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                failures.increment();
                LOG.log(System.Logger.Level.ERROR, "node task " + task + " failed", e);
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
            }
        };
    }
}
