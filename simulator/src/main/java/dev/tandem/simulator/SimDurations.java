package dev.tandem.simulator;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;

/**
 * The simulator's one text form for durations: a decimal number of seconds ({@code 1.25s},
 * {@code -2s}) on output, which round-trips to the nanosecond; on input also {@code ns},
 * {@code us}, {@code ms}, {@code s}, {@code m} and {@code h} units ({@code 250ms}, {@code 2m}).
 */
final class SimDurations {
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private SimDurations() {
    }

    static String format(Duration d) {
        return format(d.toNanos());
    }

    static String format(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + "s";
    }

    /** Like {@link #format} with an explicit {@code +} on positive values. */
    static String formatSigned(Duration d) {
        return (d.isNegative() ? "" : "+") + format(d);
    }

    /**
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    static Duration parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int unitStart = s.length();
        while (unitStart > 0 && Character.isLetter(s.charAt(unitStart - 1))) {
            unitStart--;
        }
        String number = s.substring(0, unitStart);
        String unit = s.substring(unitStart);
        long nanosPerUnit;
        switch (unit) {
            case "ns":
                nanosPerUnit = 1L;
                break;
            case "us":
                nanosPerUnit = 1_000L;
                break;
            case "ms":
                nanosPerUnit = 1_000_000L;
                break;
            case "s":
                nanosPerUnit = 1_000_000_000L;
                break;
            case "m":
                nanosPerUnit = 60_000_000_000L;
                break;
            case "h":
                nanosPerUnit = 3_600_000_000_000L;
                break;
            default:
                throw invalid(text);
        }
        if (number.isEmpty() || !number.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)")) {
            throw invalid(text);
        }
        BigDecimal nanos = new BigDecimal(number.startsWith("+") ? number.substring(1) : number)
                .multiply(BigDecimal.valueOf(nanosPerUnit));
        BigInteger whole;
        try {
            whole = nanos.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + text + "' is finer than a nanosecond");
        }
        if (whole.bitLength() > 62) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
        return Duration.ofNanos(whole.longValueExact());
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("duration '" + text
                + "' is not valid: write a number and a unit (ns, us, ms, s, m, h), e.g. 250ms, 1.5s, 2m");
    }

    /** {@code nanos} as seconds with millisecond precision, for human-facing figures. */
    static double seconds(long nanos) {
        return nanos / (double) NANOS_PER_SECOND.longValue();
    }
}
