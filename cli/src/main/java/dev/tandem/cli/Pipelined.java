package dev.tandem.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs {@code count} asynchronous operations with at most {@code inFlight} outstanding — how the
 * console's {@code load} and the demo drive the store at full speed without unbounded queues —
 * drawing a progress bar when a terminal is attached.
 */
final class Pipelined {

    /**
     * @param issued   operations started (fewer than asked when it stopped at a failure)
     * @param wrong    operations that completed with {@code false}
     * @param failure  the first operation that completed exceptionally, if any
     * @param seconds  wall-clock time from the first start to the last completion
     */
    record Outcome(int issued, long wrong, Throwable failure, double seconds) {
        double perSecond() {
            return issued / seconds;
        }
    }

    private Pipelined() {
    }

    /**
     * Starts {@code operation.apply(i)} for {@code i = 0 .. count-1}; an operation completes with
     * whether its result was right. Stops issuing at the first exceptional completion.
     */
    static Outcome run(int count, int inFlight, String unit, PrintWriter out,
                       IntFunction<CompletableFuture<Boolean>> operation) {
        Semaphore window = new Semaphore(inFlight);
        AtomicLong wrong = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean bar = System.console() != null;
        int step = Math.max(1, count / 20);
        long start = System.nanoTime();
        int issued = 0;
        for (int i = 0; i < count && failure.get() == null; i++) {
            window.acquireUninterruptibly();
            operation.apply(i).whenComplete((ok, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else if (!ok) {
                    wrong.incrementAndGet();
                }
                window.release();
            });
            issued = i + 1;
            if (bar && (issued % step == 0 || issued == count)) {
                out.printf("\r   [%-20s] %,d/%,d  %,.0f %s/s", "#".repeat((int) (20L * issued / count)), issued, count,
                        issued / ((System.nanoTime() - start) / 1e9), unit);
                out.flush();
            }
        }
        window.acquireUninterruptibly(inFlight);
        if (bar) {
            out.println();
        }
        return new Outcome(issued, wrong.get(), failure.get(), (System.nanoTime() - start) / 1e9);
    }
}
