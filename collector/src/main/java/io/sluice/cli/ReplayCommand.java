package io.sluice.cli;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice replay --to HOST:PORT [--rate DATAGRAMS_PER_S] [--loop N] FILE...}: sends the UDP
 * payloads of pcap or payload files, in file order, from one source socket at a steady rate, and
 * prints what it sent. For operators testing a pipeline, and for sluice's own tests and benchmarks.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send the UDP payloads of captures, paced, from one socket.")
public final class ReplayCommand implements Callable<Integer> {
    static final int MAX_LOOPS = 1_000_000;

    @Option(names = "--to", paramLabel = "HOST:PORT", description = "where to send ([v6]:port for IPv6); required")
    String to;

    @Option(names = "--from", paramLabel = "ADDRESS", description = "source address to send from (default: any; e.g. 127.0.0.2 to be another exporter)")
    String from;

    @Option(names = "--rate", paramLabel = "N", description = "datagrams per second, steady (default ${DEFAULT-VALUE}; 0 = as fast as possible)")
    double rate = 1000;

    @Option(names = "--loop", paramLabel = "N", description = "send the files N times (default ${DEFAULT-VALUE}, at most 1000000)")
    int loops = 1;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "pcap files (UDP payloads are sent; other packets skipped),"
            + " *.payloads.bin (length-prefixed payloads) or raw single-datagram files")
    List<Path> files = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static int main(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return Main.execute(new CommandLine(new ReplayCommand()).setCommandName("sluice replay"), args, out, err);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CommandLine cli = spec.commandLine();
        if (to == null) throw new CommandLine.ParameterException(cli, "--to HOST:PORT is required");
        if (files.isEmpty()) throw new CommandLine.ParameterException(cli, "no FILE to replay");
        if (!(rate >= 0) || Double.isInfinite(rate)) throw new CommandLine.ParameterException(cli, "--rate must be a number >= 0");
        if (loops < 1 || loops > MAX_LOOPS) throw new CommandLine.ParameterException(cli, "--loop must be between 1 and " + MAX_LOOPS);
        InetSocketAddress target;
        try {
            target = parseTarget(to);
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
        try {
            List<byte[]> payloads = new ArrayList<>();
            for (CapturedDatagram d : CaptureReader.readAll(files)) payloads.add(d.payload());
            if (payloads.isEmpty()) {
                err.println("sluice replay: no UDP datagram in " + files);
                return 1;
            }
            Replayer.Result r = Replayer.send(payloads, target, from == null ? null : InetAddress.getByName(from), rate, loops);
            out.printf(Locale.ROOT, "sent %d datagrams (%d bytes) from %s to %s in %.3f s (%.0f datagrams/s)%n",
                    r.datagrams(), r.bytes(), r.source(), target, r.seconds(), r.rate());
            out.flush();
            return 0;
        } catch (IllegalArgumentException | UnknownHostException e) {
            err.println("sluice replay: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("sluice replay: " + e);
            return 1;
        }
    }

    static InetSocketAddress parseTarget(String text) throws UnknownHostException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("--to must be HOST:PORT, got '" + text + "'");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--to: bad port in '" + text + "'");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("--to: port must be 1..65535, got " + port);
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }
}
