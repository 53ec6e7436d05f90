package dev.tandem.simulator;

import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A protocol rule broken on purpose, so that a test can show a checker catches the breakage
 * ({@code tandem sim --sabotage NAME}). A sabotaged run of {@link #scenario()} must end with
 * {@link Outcome#CORRECTNESS}: a sabotage that only slows convergence down proves nothing about
 * the safety checkers. Contributed through {@link ScenarioProvider#sabotages()}.
 *
 * @param name        {@code area/rule}, e.g. {@code membership/ignore-refutation}
 * @param description one line for {@code --list}: which rule is broken and what must catch it
 * @param scenario    the scenario in which a checker must catch it (the default when a sabotaged
 *                    run names no scenario)
 * @param breaks      turns a scenario into the same scenario (same name, faults and sizes) whose
 *                    nodes run with the rule broken; throws {@link IllegalArgumentException} for a
 *                    scenario the sabotage cannot apply to
 */
public record Sabotage(String name, String description, String scenario, UnaryOperator<Scenario> breaks) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*");

    public Sabotage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(breaks, "breaks");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("sabotage name '" + name + "' must look like area/rule"
                    + " (lower-case letters, digits and dashes), e.g. membership/ignore-refutation");
        }
    }

    /**
     * The sabotaged version of {@code target}.
     *
     * @throws IllegalArgumentException if the sabotage does not apply to {@code target}
     */
    public Scenario apply(Scenario target) {
        Objects.requireNonNull(target, "target");
        Scenario broken = breaks.apply(target);
        if (broken == null) {
            throw new IllegalArgumentException("sabotage " + name + " cannot break scenario '" + target.name() + "'");
        }
        return broken;
    }
}
