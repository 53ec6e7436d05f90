package dev.tandem.cluster.codec;

/**
 * Turns values of one type into bytes and back — how typed keys, values, job inputs and results
 * cross the wire. Code never travels between JVMs; only bytes produced by a codec do.
 *
 * <p>Contract: {@code decode(encode(v))} equals {@code v}; {@code encode} is deterministic (equal
 * values give equal bytes — required for keys, whose bytes are hashed for placement); {@code
 * decode} rejects bytes it cannot read with {@link MalformedMessageException} and nothing else.
 * Implementations are stateless and thread-safe.
 *
 * @param <T> the value type
 */
public interface Codec<T> {

    byte[] encode(T value);

    /** @throws MalformedMessageException if {@code bytes} is not an encoding of a {@code T} */
    T decode(byte[] bytes);
}
