/**
 * The {@code tandem} command line. Strategies are not referenced here: whatever placement,
 * discovery and scheduling modules are on the module path are found by name at run time. The
 * example job handlers ({@code echo}, {@code square}, {@code sleep}, {@code hash}) are services,
 * so every node {@code tandem} starts has them; so is the example worker type ({@code counter}).
 */
module dev.tandem.cli {
    requires dev.tandem.cluster.api;
    requires dev.tandem.node;
    requires dev.tandem.simulator;
    requires dev.tandem.jobs;
    requires info.picocli;
    // tandem demo keeps the nodes' INFO log lines out of its walkthrough (--verbose shows them).
    requires java.logging;
    // sun.misc.Signal: a second Ctrl-C must be able to cut a graceful stop short.
    requires jdk.unsupported;

    opens dev.tandem.cli to info.picocli;

    provides dev.tandem.jobs.JobHandler with
            dev.tandem.cli.ExampleJobs.Echo,
            dev.tandem.cli.ExampleJobs.Square,
            dev.tandem.cli.ExampleJobs.Sleep,
            dev.tandem.cli.ExampleJobs.Hash;
    provides dev.tandem.jobs.WorkerHandler with
            dev.tandem.cli.ExampleWorkers.Counter;
}
