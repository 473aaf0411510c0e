package io.sluice.cli;

import io.sluice.metrics.BuildInfo;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/sluice}'s entry point: the command line (picocli) with the subcommands run, decode, replay,
 * version, help and completion; exits with the subcommand's status (2 for a usage error, naming the option).
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Flow collector: sFlow, NetFlow and IPFIX from UDP to Kafka.",
        subcommands = {RunCommand.class, DecodeMain.class, ReplayCommand.class, Main.VersionCommand.class, AotTrainingCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The process's policy, not run()'s (tests call run() in their own JVM): a thread that dies ends
        // the process with status 70, so a supervisor restarts it (RunCommand.fatal).
        Thread.setDefaultUncaughtExceptionHandler(RunCommand::fatal);
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return execute(new CommandLine(new Main()), args, out, err);
    }

    /** Runs a command line with sluice's conventions: usage errors exit 2 and print the command's usage. */
    static int execute(CommandLine cli, String[] args, PrintStream out, PrintStream err) {
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        // `completion` is hidden from the usage (it prints a bash script; README says how to use it)
        CommandLine completion = cli.getSubcommands().get("generate-completion");
        if (completion != null) completion.getCommandSpec().usageMessage().hidden(true);
        return cli.execute(args);
    }

    /** Without a subcommand: the usage, exit 2 (as before the CLI library). */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    /** {@code --version} and {@code sluice version}: the build's version and revision, and the Java runtime. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.current().line()};
        }
    }

    @Command(name = "version", description = "Print the version, git revision and Java runtime.")
    static final class VersionCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().println(BuildInfo.current().line());
        }
    }
}
