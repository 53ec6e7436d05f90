package dev.tandem.jobs.scheduling;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.JobRequest;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.SchedulingContext;
import java.util.List;

/** The three strategies. Each draws only from the context's seeded random source. */
final class Schedulers {
    private Schedulers() {
    }

    static final class Uniform implements JobScheduler {
        @Override
        public String name() {
            return "uniform";
        }

        @Override
        public NodeId choose(JobRequest job, SchedulingContext context) {
            List<Member> c = context.candidates();
            return c.get(context.random().nextInt(c.size())).id();
        }
    }

    /**
     * Power of d choices (Mitzenmacher): d distinct random candidates, the least loaded wins (an
     * unknown load counts as 0, so a fresh node gets work; ties go to the first drawn). With d = 2
     * the maximum load drops from Θ(log n / log log n) to Θ(log log n) over uniform placement.
     */
    static final class LeastLoaded implements JobScheduler {
        private final int choices;

        LeastLoaded(int choices) {
            this.choices = choices;
        }

        @Override
        public String name() {
            return "least-loaded";
        }

        @Override
        public NodeId choose(JobRequest job, SchedulingContext context) {
            List<Member> c = context.candidates();
            int n = c.size();
            int d = Math.min(choices, n);
            int[] picked = new int[d];
            NodeId best = null;
            int bestLoad = Integer.MAX_VALUE;
            for (int i = 0; i < d; i++) {
                // Draw without replacement: index among the candidates not yet picked (d <= 8, bounded).
                int r = context.random().nextInt(n - i);
                for (int j = 0; j < i; j++) {
                    int min = j;
                    for (int k = j + 1; k < i; k++) {
                        if (picked[k] < picked[min]) {
                            min = k;
                        }
                    }
                    int t = picked[j];
                    picked[j] = picked[min];
                    picked[min] = t;
                }
                for (int j = 0; j < i; j++) {
                    if (picked[j] <= r) {
                        r++;
                    }
                }
                picked[i] = r;
                NodeId id = c.get(r).id();
                int load = context.load(id).orElse(0);
                if (load < bestLoad) {
                    best = id;
                    bestLoad = load;
                }
            }
            return best;
        }
    }

    static final class KeyAffinity implements JobScheduler {
        private final Uniform fallback = new Uniform();

        @Override
        public String name() {
            return "key-affinity";
        }

        @Override
        public NodeId choose(JobRequest job, SchedulingContext context) {
            if (job.affinityKeyHash().isEmpty()) {
                return fallback.choose(job, context);
            }
            List<NodeId> owners = context.placement().owners(job.affinityKeyHash().getAsLong(), 1);
            if (owners.isEmpty()) {
                return fallback.choose(job, context);
            }
            NodeId owner = owners.get(0);
            for (Member m : context.candidates()) {
                if (m.name().equals(owner.name())) {
                    return m.id();
                }
            }
            return fallback.choose(job, context);
        }
    }
}
