package dev.tandem.simulator;

import java.util.List;

/**
 * Service interface through which modules contribute scenarios (membership, store, jobs, ...):
 * declare {@code provides dev.tandem.simulator.ScenarioProvider with ...} in {@code module-info.java}
 * and {@link ScenarioCatalog#installed()} finds them. Names must be unique across all providers.
 */
public interface ScenarioProvider {

    List<Scenario> scenarios();
}
