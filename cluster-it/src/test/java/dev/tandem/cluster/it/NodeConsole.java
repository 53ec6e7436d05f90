package dev.tandem.cluster.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;

/**
 * A node's console, driven as a person would type into it: attached to the container's standard
 * input and output ({@code tandem node --console}, container created with stdin open). Lines are
 * written to the node's stdin; its output lines since the attach are kept and waited on with
 * deadlines. Thread-safe: Docker's stream thread appends, the test waits.
 */
final class NodeConsole implements AutoCloseable {
    private static final int MAX_LINES = 100_000;

    private final String name;
    private final PipedOutputStream stdin = new PipedOutputStream();
    private final ResultCallback.Adapter<Frame> attached;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();

    /** Attaches to {@code containerId}; waits until the attach stream is open. */
    NodeConsole(String name, String containerId) throws IOException, InterruptedException {
        this.name = name;
        DockerClient docker = DockerClientFactory.instance().client();
        PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
        attached = docker.attachContainerCmd(containerId).withStdIn(in).withStdOut(true).withStdErr(true)
                .withFollowStream(true).withLogs(false)
                .exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Frame frame) {
                        if (frame.getStreamType() == StreamType.STDOUT || frame.getStreamType() == StreamType.RAW) {
                            append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    }
                });
        if (!attached.awaitStarted(30, TimeUnit.SECONDS)) {
            throw new AssertionError("could not attach to the console of node " + name);
        }
    }

    private void append(String text) {
        lock.lock();
        try {
            partial.append(text);
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String l = partial.substring(0, nl);
                if (lines.size() < MAX_LINES) {
                    lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
                }
                partial.delete(0, nl + 1);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Types {@code command} and waits for the first output line after it that matches {@code answer}.
     *
     * @return the match
     * @throws AssertionError with the console's tail if no such line came within {@code timeout}
     */
    Matcher ask(String command, Pattern answer, Duration timeout) throws IOException, InterruptedException {
        int from;
        lock.lock();
        try {
            from = lines.size();
        } finally {
            lock.unlock();
        }
        stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = from; i < lines.size(); i++) {
                    Matcher m = answer.matcher(lines.get(i));
                    if (m.find()) {
                        return m;
                    }
                }
                from = lines.size();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("node " + name + " did not answer '" + command + "' with /" + answer
                            + "/ within " + timeout.toMillis() + " ms; console:\n" + tail(40));
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    String tail(int max) {
        lock.lock();
        try {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - max), lines.size()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
            attached.close();
        } catch (IOException e) {
            // the container is gone; nothing left to release
        }
    }
}
