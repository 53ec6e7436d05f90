package dev.tandem.jobs.stats;

/**
 * Pearson's chi-square goodness-of-fit test against the uniform distribution, with the p-value
 * from the regularized upper incomplete gamma function Q(df/2, x/2) (series for x < a + 1,
 * Lentz continued fraction otherwise; both bounded to 500 terms). Used for the spread of jobs over
 * nodes: a small p-value (say below 0.001) says the counts are unlikely under an even spread.
 */
public final class ChiSquare {
    private ChiSquare() {
    }

    /**
     * @param statistic        Pearson's X² of the counts
     * @param degreesOfFreedom cells - 1
     * @param pValue           probability of an X² at least this large if every cell were equally likely
     */
    public record Result(double statistic, int degreesOfFreedom, double pValue) {
    }

    /**
     * Tests whether {@code counts} could be draws from equal probabilities over the cells.
     *
     * @throws IllegalArgumentException for fewer than 2 cells, a negative count or no draws at all
     */
    public static Result uniform(int[] counts) {
        if (counts.length < 2) {
            throw new IllegalArgumentException("need at least 2 cells, got " + counts.length);
        }
        long total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("counts must be >= 0, got " + c);
            }
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException("no draws: every count is 0");
        }
        double expected = (double) total / counts.length;
        double x = 0;
        for (int c : counts) {
            x += (c - expected) * (c - expected) / expected;
        }
        int df = counts.length - 1;
        return new Result(x, df, upperGammaQ(df / 2.0, x / 2.0));
    }

    /** The regularized upper incomplete gamma function Q(a, x), a > 0. */
    public static double upperGammaQ(double a, double x) {
        if (x <= 0) {
            return 1.0;
        }
        double lnPrefix = -x + a * Math.log(x) - logGamma(a);
        if (x < a + 1) {
            double sum = 1.0 / a;
            double term = sum;
            for (int n = 1; n < 500; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-15) {
                    break;
                }
            }
            return Math.max(0, 1.0 - sum * Math.exp(lnPrefix));
        }
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 500; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                break;
            }
        }
        return Math.exp(lnPrefix) * h;
    }

    /** Lanczos approximation (g = 7, 9 coefficients); accurate to ~1e-15 for a > 0. */
    static double logGamma(double z) {
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (z < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
        }
        z -= 1;
        double x = g[0];
        for (int i = 1; i < 9; i++) {
            x += g[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
    }
}
