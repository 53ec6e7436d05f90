package dev.tandem.transport.netty;

/**
 * One unit on the wire: a channel byte and a payload.
 *
 * <pre>
 * +----------------+---------+---------------------+
 * | length: u32 BE | channel | payload             |
 * |  = 1 + n       |  u8     |  n bytes            |
 * +----------------+---------+---------------------+
 * </pre>
 *
 * Before a connection is authenticated the channel byte is a handshake message type
 * ({@link #HELLO}, {@link #PROOF}); afterwards it is the {@code Transport} channel of the payload.
 * The payload array is owned by whoever holds the frame; it is never copied again.
 */
record Frame(int channel, byte[] payload) {
    /** Bytes before the payload: the length field and the channel byte. */
    static final int HEADER_BYTES = 5;
    static final int HELLO = 1;
    static final int PROOF = 2;

    Frame {
        if (channel < 0 || channel > 255) {
            throw new IllegalArgumentException("channel must be 0-255, was " + channel);
        }
    }

    @Override
    public String toString() {
        return "Frame[channel=" + channel + ", " + payload.length + " bytes]";
    }
}
