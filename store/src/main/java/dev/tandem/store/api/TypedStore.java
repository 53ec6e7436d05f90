package dev.tandem.store.api;

import dev.tandem.cluster.codec.Codec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link KeyValueStore} seen through codecs. Same contract as the byte form; a stored value that
 * its codec cannot decode fails the read with the codec's
 * {@link dev.tandem.cluster.codec.MalformedMessageException}. Thread-safe.
 *
 * @param <K> key type (its codec must be deterministic: the bytes decide placement)
 * @param <V> value type
 */
public final class TypedStore<K, V> {
    private final KeyValueStore store;
    private final Codec<K> keys;
    private final Codec<V> values;

    TypedStore(KeyValueStore store, Codec<K> keys, Codec<V> values) {
        this.store = Objects.requireNonNull(store, "store");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.values = Objects.requireNonNull(values, "values");
    }

    public CompletableFuture<Void> putAsync(K key, V value) {
        return store.putAsync(keys.encode(key), values.encode(value));
    }

    public CompletableFuture<Optional<V>> getAsync(K key) {
        return store.getAsync(keys.encode(key)).thenApply(o -> o.map(values::decode));
    }

    public CompletableFuture<Void> deleteAsync(K key) {
        return store.deleteAsync(keys.encode(key));
    }

    public CompletableFuture<Void> putAllAsync(Map<K, V> entries) {
        List<Map.Entry<byte[], byte[]>> raw = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> raw.add(Map.entry(keys.encode(k), values.encode(v))));
        return store.putAllAsync(raw);
    }

    public void put(K key, V value) {
        KeyValueStore.await(putAsync(key, value));
    }

    public Optional<V> get(K key) {
        return KeyValueStore.await(getAsync(key));
    }

    public void delete(K key) {
        KeyValueStore.await(deleteAsync(key));
    }

    public void putAll(Map<K, V> entries) {
        KeyValueStore.await(putAllAsync(entries));
    }
}
