package io.sluice.cli;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sluice replay --to HOST:PORT [--rate DATAGRAMS_PER_S] [--loop N] FILE...}: sends the UDP
 * payloads of pcap or payload files, in file order, from one source socket at a steady rate, and
 * prints what it sent. For operators testing a pipeline, and for sluice's own tests and benchmarks.
 */
public final class ReplayCommand {
    static final String USAGE = """
            usage: sluice replay --to HOST:PORT [--rate DATAGRAMS_PER_S] [--loop N] [--from ADDRESS] FILE...
              --to HOST:PORT   where to send ([v6]:port for IPv6)
              --from ADDRESS   source address to send from (default: any; e.g. 127.0.0.2 to be another exporter)
              --rate N         datagrams per second, steady (default 1000; 0 = as fast as possible)
              --loop N         send the files N times (default 1, at most 1000000)
              FILE...          pcap files (UDP payloads are sent; other packets skipped), *.payloads.bin
                               (length-prefixed payloads) or raw single-datagram files
            """;
    static final int MAX_LOOPS = 1_000_000;

    private ReplayCommand() {}

    public static int main(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String to = null;
        String from = null;
        double rate = 1000;
        int loops = 1;
        List<Path> files = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--to" -> to = value(args, ++i, a);
                    case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
                    case "--loop" -> loops = Integer.parseInt(value(args, ++i, a));
                    case "--from" -> from = value(args, ++i, a);
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("--")) throw new IllegalArgumentException("unknown option " + a);
                        files.add(Path.of(a));
                    }
                }
            }
            if (to == null) throw new IllegalArgumentException("--to HOST:PORT is required");
            if (files.isEmpty()) throw new IllegalArgumentException("no FILE to replay");
            if (!(rate >= 0) || Double.isInfinite(rate)) throw new IllegalArgumentException("--rate must be a number >= 0");
            if (loops < 1 || loops > MAX_LOOPS) throw new IllegalArgumentException("--loop must be between 1 and " + MAX_LOOPS);
        } catch (IllegalArgumentException e) {
            err.println("sluice replay: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            InetSocketAddress target = parseTarget(to);
            List<byte[]> payloads = new ArrayList<>();
            for (CapturedDatagram d : CaptureReader.readAll(files)) payloads.add(d.payload());
            if (payloads.isEmpty()) {
                err.println("sluice replay: no UDP datagram in " + files);
                return 1;
            }
            Replayer.Result r = Replayer.send(payloads, target, from == null ? null : InetAddress.getByName(from), rate, loops);
            out.printf(Locale.ROOT, "sent %d datagrams (%d bytes) from %s to %s in %.3f s (%.0f datagrams/s)%n",
                    r.datagrams(), r.bytes(), r.source(), target, r.seconds(), r.rate());
            return 0;
        } catch (IllegalArgumentException | UnknownHostException e) {
            err.println("sluice replay: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("sluice replay: " + e);
            return 1;
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
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
