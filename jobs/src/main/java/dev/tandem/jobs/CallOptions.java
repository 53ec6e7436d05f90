package dev.tandem.jobs;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Options of one call.
 *
 * @param timeout         overrides {@link JobsConfig#callTimeout()}
 * @param affinityKeyHash for the {@code key-affinity} scheduler
 */
public record CallOptions(Optional<Duration> timeout, OptionalLong affinityKeyHash) {
    private static final CallOptions NONE = new CallOptions(Optional.empty(), OptionalLong.empty());

    public CallOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(affinityKeyHash, "affinityKeyHash");
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + t);
            }
        });
    }

    public static CallOptions none() {
        return NONE;
    }

    public static CallOptions timeout(Duration timeout) {
        return new CallOptions(Optional.of(timeout), OptionalLong.empty());
    }
}
