package dev.tandem.cluster.it;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A container's standard input: lines the test writes, read by Docker's attach stream. Unlike
 * {@code PipedInputStream} it does not depend on the writing thread staying alive. Bounded: at
 * most 1,024 lines waiting.
 */
final class StdinPipe extends InputStream {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> lines = new LinkedBlockingQueue<>(1024);
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    /** Queues one line (a newline is added). */
    void writeLine(String line) {
        try {
            if (!lines.offer((line + "\n").getBytes(StandardCharsets.UTF_8), 10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the container does not read its input: 1,024 lines are waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        lines.offer(EOF);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (pos == current.length) {
            if (ended) {
                return -1;
            }
            try {
                current = lines.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            pos = 0;
            if (current == EOF) {
                ended = true;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }
}
