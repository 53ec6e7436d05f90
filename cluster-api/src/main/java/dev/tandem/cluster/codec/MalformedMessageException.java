package dev.tandem.cluster.codec;

/**
 * Bytes that do not decode: truncated, oversized, of an unknown type or version, or violating a
 * field's constraints. The message says what was wrong and where, so an operator can tell a
 * version mismatch from corruption. Receivers drop the message (and count it); they never crash.
 */
public final class MalformedMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }
}
