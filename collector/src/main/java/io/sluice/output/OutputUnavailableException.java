package io.sluice.output;

/**
 * An output that cannot start (broker not answering, topic missing, client configuration refused).
 * It names the output's own setting ({@code topic}, {@code bootstrap-servers}, {@code producer}); the
 * service, which knows where that setting sits in the configuration, turns it into a configuration
 * error naming the full key. So the output does not depend on the configuration package.
 */
public final class OutputUnavailableException extends Exception {
    private final String setting;

    public OutputUnavailableException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The output's setting at fault, e.g. {@code topic}. */
    public String setting() {
        return setting;
    }
}
