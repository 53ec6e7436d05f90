package dev.tandem.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * Entry point of the {@code tandem} launcher.
 *
 * <p>Exit codes: {@value #OK} success, {@value #FAILED} the command ran and failed,
 * {@value #USAGE} bad arguments (one line on stderr saying what was wrong, never a stack trace).
 * Subcommands may define further codes (the simulator does, one per kind of failure).
 */
@Command(name = "tandem", mixinStandardHelpOptions = true, versionProvider = Tandem.Version.class,
        description = "Peer-to-peer JVM clusters: placement, simulation, nodes.",
        subcommands = {DemoCommand.class, NodeCommand.class, BenchCommand.class, BenchNodeCommand.class, SimCommand.class,
            PlacementCommand.class, JobsBenchCommand.class, CommandLine.HelpCommand.class})
public final class Tandem implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line, writing to {@code out}/{@code err}; returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    /**
     * Runs one command line as {@link #run} does, except that {@code tandem node} reads its
     * console from {@code in} and leaves the JVM's signals and shutdown hooks alone: for tests that
     * run several nodes inside their own JVM ({@code quit} on {@code in} still leaves gracefully).
     */
    static int runInProcess(String[] args, PrintWriter out, PrintWriter err, InputStream in) {
        CommandLine cl = commandLine(out, err);
        NodeCommand node = cl.getSubcommands().get("node").getCommand();
        node.input = in;
        node.ownsProcess = false;
        return cl.execute(args);
    }

    private static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Tandem());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Tandem::usageError);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                // Invalid values that only the strategy can judge: still the user's input.
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return USAGE;
            }
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": failed: " + e);
            if (System.getenv("TANDEM_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(set TANDEM_DEBUG=1 for the stack trace)");
            }
            return FAILED;
        });
        return cl;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String path = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(path + ": " + e.getMessage() + " (see '" + path + " --help')");
        return USAGE;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Tandem.class.getModule().getDescriptor() != null
                    ? Tandem.class.getModule().getDescriptor().rawVersion().orElse("dev") : "dev";
            return new String[] {"tandem " + v + " (Java " + Runtime.version() + ")"};
        }
    }
}
