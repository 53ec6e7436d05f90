package dev.tandem.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU time (user + system, all threads) that some processes spend in a window of wall-clock
 * time that opens a while from now — the measured seconds of a benchmark figure, after its
 * warm-up. Throughput on a shared 2-core machine moves by a third between identical runs; the CPU
 * an operation costs moves far less, and says which process pays it and whether the machine was
 * busy or waiting.
 *
 * <p>Read through {@link ProcessHandle.Info#totalCpuDuration()}: on Linux the kernel's tick count
 * (10 ms), so a 5 s window is good to about 1 %. Where the platform does not report CPU time the
 * window reports nothing.
 */
final class CpuWindow {
    private final Map<String, ProcessHandle> processes;
    private final Map<String, Long> startNanos = new LinkedHashMap<>();
    private final Map<String, Long> endNanos = new LinkedHashMap<>();
    private final Thread sampler;
    private volatile long openedAt;
    private volatile long closedAt;

    private CpuWindow(Map<String, ProcessHandle> processes, long delayNanos, long lengthNanos) {
        this.processes = processes;
        long t0 = System.nanoTime();
        this.sampler = new Thread(() -> {
            sleepUntil(t0 + delayNanos);
            openedAt = System.nanoTime();
            sample(startNanos);
            sleepUntil(t0 + delayNanos + lengthNanos);
            closedAt = System.nanoTime();
            sample(endNanos);
        }, "bench-cpu-window");
        sampler.setDaemon(true);
    }

    /** Opens in {@code delay}, closes {@code length} later; {@code processes} by display name, in order. */
    static CpuWindow start(Map<String, ProcessHandle> processes, Duration delay, Duration length) {
        CpuWindow w = new CpuWindow(new LinkedHashMap<>(processes), delay.toNanos(), length.toNanos());
        w.sampler.start();
        return w;
    }

    /** Waits for the window to close; empty if some process's CPU time could not be read. */
    Optional<Figure> await() throws InterruptedException {
        sampler.join();
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (String name : processes.keySet()) {
            Long s = startNanos.get(name);
            Long e = endNanos.get(name);
            if (s == null || e == null) {
                return Optional.empty();
            }
            cpu.put(name, e - s);
        }
        return Optional.of(new Figure(cpu, closedAt - openedAt));
    }

    private void sample(Map<String, Long> into) {
        processes.forEach((name, p) -> p.info().totalCpuDuration().ifPresent(d -> into.put(name, d.toNanos())));
    }

    private static void sleepUntil(long deadline) {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left); // a timed wait for a fixed instant, not for an effect
        }
    }

    /**
     * CPU nanoseconds per process over {@code windowNanos} of wall-clock time.
     *
     * @param cpuNanos    by process name, in the order given
     * @param windowNanos the window's length as measured
     */
    record Figure(Map<String, Long> cpuNanos, long windowNanos) {
        long totalNanos() {
            return cpuNanos.values().stream().mapToLong(Long::longValue).sum();
        }

        /** CPUs kept busy on average: 1.0 = one core all the time. */
        double busyCpus() {
            return totalNanos() / (double) windowNanos;
        }

        /** Microseconds of CPU per operation, of all processes, given the operations in the window. */
        double microsPerOp(double opsInWindow) {
            return totalNanos() / 1e3 / opsInWindow;
        }
    }
}
