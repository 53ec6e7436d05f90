/**
 * The jobs module's scenarios for the simulator: real SWIM membership ({@code discovery-gossip},
 * static seeds) and a real jobs node on every simulated machine, call and cast clients, the jobs
 * invariants, and sabotages that prove the invariants catch a broken rule.
 */
module dev.tandem.jobs.sim {
    requires dev.tandem.jobs;
    requires dev.tandem.simulator;
    requires dev.tandem.discovery.gossip;

    provides dev.tandem.simulator.ScenarioProvider with dev.tandem.jobs.sim.JobScenarios;
}
