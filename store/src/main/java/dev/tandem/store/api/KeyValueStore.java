package dev.tandem.store.api;

import dev.tandem.cluster.codec.Codec;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A replicated key/value store of byte strings; {@link #typed} puts codecs on top.
 *
 * <p><b>Contract.</b> A write completes normally only once {@code R} (default two) distinct live
 * nodes hold it, at least one of them an owner of the key. Every write carries a version (hybrid
 * logical clock, node tie-break); the highest version of a key wins everywhere (last-writer-wins).
 * A write that completed before another write of the same key started is ordered before it when
 * the second write reaches a node holding the first (it is then re-versioned above it) — always
 * the case while the nodes' membership views agree. When views disagree (during a membership
 * change) and the two coordinators' clocks differ by more than the time between the writes, the
 * earlier write can carry the higher version and win. Concurrent writes of one key (including
 * writes on both sides of a network partition) are resolved by version: all but the highest are
 * overwritten. Reads ask every owner and return the highest version they answer with; during churn
 * a read may miss a write that is still being handed over (eventual consistency); at quiescence
 * every read returns the highest-versioned acknowledged write.
 *
 * <p><b>Threads.</b> Every method may be called from any thread; the work hops onto the node's
 * executor. Futures complete on the node's executor: do not block inside their callbacks. The
 * blocking forms ({@link #put}, {@link #get}, ...) must not be called from the node's executor.
 *
 * <p><b>Errors.</b> A key or value over the configured limit fails with
 * {@link IllegalArgumentException} naming the limit and the setting that changes it; other
 * failures are {@link StoreException}s with a {@link StoreException.Reason}.
 */
public interface KeyValueStore {

    /** Stores {@code value} under {@code key}; completes once {@code R} nodes hold it. */
    CompletableFuture<Void> putAsync(byte[] key, byte[] value);

    /** The value with the highest version the owners answer with, or empty if absent/deleted. */
    CompletableFuture<Optional<byte[]>> getAsync(byte[] key);

    /** Deletes {@code key} with a versioned tombstone; completes once {@code R} nodes hold it. */
    CompletableFuture<Void> deleteAsync(byte[] key);

    /**
     * Writes every entry (each is an independent put, batched on the wire); completes when all
     * are acknowledged, or exceptionally with the first failure (other entries may have landed).
     */
    CompletableFuture<Void> putAllAsync(Collection<? extends Map.Entry<byte[], byte[]>> entries);

    /** What this node holds, as it sees the cluster. */
    CompletableFuture<NodeInfo> infoAsync();

    default void put(byte[] key, byte[] value) {
        await(putAsync(key, value));
    }

    default Optional<byte[]> get(byte[] key) {
        return await(getAsync(key));
    }

    default void delete(byte[] key) {
        await(deleteAsync(key));
    }

    default void putAll(Collection<? extends Map.Entry<byte[], byte[]>> entries) {
        await(putAllAsync(entries));
    }

    default NodeInfo info() {
        return await(infoAsync());
    }

    /** A typed view of this store; keys are placed by the bytes {@code keys} encodes them to. */
    default <K, V> TypedStore<K, V> typed(Codec<K> keys, Codec<V> values) {
        return new TypedStore<>(this, keys, values);
    }

    /** Waits for {@code f}, rethrowing its failure unwrapped when it is unchecked. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
