package dev.tandem.cluster.spi;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a {@link JobScheduler} may know about a job it places: its handler name and, for
 * key-affine jobs, the hash of the key it should run near. Never the job's input, so a scheduler
 * cannot accidentally pin every job with the same argument to one node.
 */
public record JobRequest(String jobName, OptionalLong affinityKeyHash) {
    public JobRequest {
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(affinityKeyHash, "affinityKeyHash");
    }

    public static JobRequest named(String jobName) {
        return new JobRequest(jobName, OptionalLong.empty());
    }
}
