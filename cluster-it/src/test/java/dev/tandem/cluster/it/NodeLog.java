package dev.tandem.cluster.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.testcontainers.containers.output.OutputFrame;

/**
 * A container's output, line by line, with waits on the latest membership view. Thread-safe: the
 * Docker log stream appends, the test waits.
 */
final class NodeLog implements Consumer<OutputFrame> {
    private static final int MAX_LINES = 100_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private View latest;

    @Override
    public void accept(OutputFrame frame) {
        if (frame.getType() == OutputFrame.OutputType.END) {
            return;
        }
        lock.lock();
        try {
            partial.append(frame.getUtf8String());
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                add(partial.substring(0, nl));
                partial.delete(0, nl + 1);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void add(String line) {
        String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (lines.size() < MAX_LINES) {
            lines.add(l);
        }
        View.parse(l).ifPresent(v -> latest = v);
    }

    /** The last view the node printed. */
    Optional<View> latest() {
        lock.lock();
        try {
            return Optional.ofNullable(latest);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the latest view satisfies {@code condition}.
     *
     * @return whether it did before {@code deadlineNanos} ({@link System#nanoTime()} based)
     */
    boolean awaitLatest(Predicate<View> condition, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (latest == null || !condition.test(latest)) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How many lines arrived so far: the index the next line will have. */
    int size() {
        lock.lock();
        try {
            return lines.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the first line at index {@code from} or later that satisfies {@code condition}.
     *
     * @return the line, or empty if none arrived before {@code deadlineNanos}
     */
    Optional<String> awaitLine(int from, Predicate<String> condition, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            int next = from;
            while (true) {
                for (; next < lines.size(); next++) {
                    if (condition.test(lines.get(next))) {
                        return Optional.of(lines.get(next));
                    }
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /** The last {@code max} lines, for failure messages. */
    String tail(int max) {
        lock.lock();
        try {
            List<String> tail = lines.subList(Math.max(0, lines.size() - max), lines.size());
            return (lines.size() > max ? "  ... " + (lines.size() - max) + " earlier lines\n" : "")
                    + String.join("\n", tail.stream().map(s -> "  " + s).toList()) + (partial.length() > 0 ? "\n  " + partial : "");
        } finally {
            lock.unlock();
        }
    }
}
