package dev.tandem.jobs;

import dev.tandem.cluster.KeyHash;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Options of one cast.
 *
 * @param idempotencyKey casts with the same key are one job: the job id is derived from the key and
 *                       its record is placed on the key's placement owners, so a repeated cast
 *                       finds the existing record and does not run again (while the owners of the
 *                       key's hash are stable, and while the finished record is kept:
 *                       {@link JobsConfig#finishedRetention()}, or less beyond
 *                       {@link JobsConfig#maxFinishedRecords()}; after that a repeat is still
 *                       answered from the holders' bounded memory of forgotten records, and runs
 *                       again once the key has left it)
 * @param affinityKeyHash for the {@code key-affinity} scheduler
 */
public record CastOptions(Optional<String> idempotencyKey, OptionalLong affinityKeyHash) {
    private static final CastOptions NONE = new CastOptions(Optional.empty(), OptionalLong.empty());

    public CastOptions {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(affinityKeyHash, "affinityKeyHash");
        idempotencyKey.ifPresent(k -> {
            if (k.isEmpty() || k.length() > 200) {
                throw new IllegalArgumentException("idempotency key must be 1-200 characters");
            }
        });
    }

    public static CastOptions none() {
        return NONE;
    }

    public static CastOptions idempotent(String key) {
        return new CastOptions(Optional.of(key), OptionalLong.of(KeyHash.of(key)));
    }
}
