package io.sluice.cli;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ConfigPrinter;
import io.sluice.config.SluiceConfig;
import io.sluice.output.KafkaOutput;
import io.sluice.output.OutputType;
import io.sluice.output.OutputUnavailableException;
import io.sluice.service.SluiceService;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice run [--config FILE] [--set KEY=VALUE | --KEY=VALUE]...}: validates the configuration,
 * starts the service and runs until SIGTERM or SIGINT, then stops gracefully (workers stop reading and
 * drain their sockets, the last batches are handed over, the producer is flushed) and exits 0.
 * A configuration that cannot work (including an unreachable broker) exits 2 with one log line naming the key.
 */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the collector service (every key: docs/configuration.md).",
                "Configuration: the file (or the embedded one), then SLUICE_* environment variables "
                        + "(SLUICE_KAFKA_BOOTSTRAP_SERVERS=... for kafka.bootstrap-servers), then the flags."},
        footer = {"", "Any key is also a flag: --kafka.topic=flows, --listeners[0].workers=4, --kafka.producer.linger.ms=5."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration (default: the embedded one)")
    String configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one key, e.g. --set kafka.topic=flows")
    List<String> sets = new ArrayList<>();

    @Option(names = "--check", description = "validate the configuration (every key, every kafka.producer property) and exit")
    boolean check;

    @Option(names = "--print-config", description = "print the effective configuration (file, environment, flags, defaults) and exit")
    boolean printConfig;

    @Option(names = "--print-default-config", description = "print the embedded configuration file and exit")
    boolean printDefaultConfig;

    /** The {@code --KEY=VALUE} / {@code --KEY VALUE} flags, handed to the config loader as they are. */
    @CommandLine.Unmatched
    List<String> keyFlags = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    /** `sluice run` as operators start it: configuration from the file, the process's environment and the flags. */
    public RunCommand() {
        this(System.getenv());
    }

    RunCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    public static int main(String[] args) {
        Thread.setDefaultUncaughtExceptionHandler(RunCommand::fatal); // as Main.main does
        return run(args, System.out, System.err);
    }

    /**
     * Runs with the given receive path and decoders until a stop signal.
     *
     * @return the process exit code: 0 after a graceful stop, 2 for an invalid configuration
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Main.execute(new CommandLine(new RunCommand(System.getenv())).setCommandName("sluice run"), args, out, err);
    }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (printDefaultConfig) {
            try {
                out.print(ConfigLoader.defaultConfigText());
                out.flush();
                return 0;
            } catch (IOException e) {
                err.println("sluice run: " + e.getMessage());
                return 1;
            }
        }
        SluiceConfig config;
        try {
            config = ConfigLoader.load(loaderArgs(), environment);
        } catch (ConfigException e) {
            if (check || printConfig) err.println("sluice run: invalid configuration: " + e.getMessage());
            else log.error("invalid configuration: {}", e.getMessage());
            return 2;
        }
        if (printConfig) {
            out.print(ConfigPrinter.toYaml(config));
            out.flush();
            return 0;
        }
        if (check) {
            if (config.output().type() == OutputType.KAFKA) {
                try {
                    KafkaOutput.checkProducerConfig(config.kafka());
                } catch (OutputUnavailableException e) {
                    err.println("sluice run: invalid configuration: kafka." + e.setting() + ": " + e.getMessage());
                    return 2;
                }
            }
            out.println("configuration OK: " + config.listeners().size() + " listener(s), output " + config.output().type().configName);
            out.flush();
            return 0;
        }
        StopSignals stop = StopSignals.install(); // before start: it announces the listeners before it returns
        ReloadSignal reload = ReloadSignal.install(); // SIGHUP, the same
        SluiceService service;
        try {
            service = SluiceService.start(config);
        } catch (ConfigException e) {
            log.error("cannot start: {}", e.getMessage());
            return 2;
        }
        stop.started();
        String[] args = loaderArgs();
        reload.started(() -> service.reload(ConfigLoader.load(args, environment)));
        // Anything else ending the JVM (System.exit elsewhere, an unhandled signal) still stops gracefully.
        Thread hook = new Thread(service::close, "sluice-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping: draining the sockets and flushing the output");
        service.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs or ran: nothing to undo
        }
        return 0;
    }

    /** Exit status when a thread of sluice died (a worker, the housekeeping): not a configuration error (2). */
    static final int THREAD_DIED = 70;
    /** Loaded and held before any failure: with the heap exhausted, loading a class fails too. */
    private static final Class<?> VM_ERROR = VirtualMachineError.class;
    private static final Runtime RUNTIME = Runtime.getRuntime();
    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);
    private static final byte[] DIED_OF_VM_ERROR = ("sluice: a thread died of an OutOfMemoryError or StackOverflowError; "
            + "exiting with status 70 (a supervisor restarts it)\n").getBytes(StandardCharsets.UTF_8);

    /**
     * A thread that dies of an uncaught exception (a worker: {@code Worker.run} rethrows) ends the
     * process with {@link #THREAD_DIED}, so a supervisor restarts it, instead of a process that holds its
     * sockets with nobody reading them. The exit runs the shutdown hook (the graceful stop of what still
     * works); a halt follows if that does not finish within a minute.
     */
    static void fatal(Thread thread, Throwable e) {
        if (VM_ERROR.isInstance(e)) {
            // Out of memory (without -XX:+ExitOnOutOfMemoryError) or stack: logging would allocate and fail
            // again, so a preallocated line and a halt (no shutdown hook: it could not run either).
            try {
                STDERR.write(DIED_OF_VM_ERROR); // a native write of preallocated bytes: no heap needed
            } catch (IOException ignored) {
                // stderr closed: the exit status still says it
            } finally {
                RUNTIME.halt(THREAD_DIED);
            }
        }
        try {
            log.error("thread {} died: {}; sluice exits with status {} (a supervisor restarts it)", thread.getName(), e, THREAD_DIED, e);
        } finally {
            Thread.ofPlatform().daemon().name("sluice-fatal-halt").start(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException ignored) {
                    // halt at once
                }
                Runtime.getRuntime().halt(THREAD_DIED);
            });
            Thread.ofPlatform().name("sluice-fatal-exit").start(() -> System.exit(THREAD_DIED));
        }
    }

    /** The loader's own syntax: --config FILE, --set KEY=VALUE, --KEY=VALUE, --KEY VALUE. */
    private String[] loaderArgs() {
        List<String> a = new ArrayList<>();
        if (configFile != null) {
            a.add("--config");
            a.add(configFile);
        }
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        a.addAll(keyFlags);
        return a.toArray(String[]::new);
    }
}
