package io.sluice.decode;

/**
 * What a listener decodes (the key {@code listeners[].protocol}): auto lets each datagram's version
 * field decide; the others accept only that protocol's datagrams.
 */
public enum ListenerProtocol {
    AUTO("auto"), SFLOW("sflow"), NETFLOW("netflow"), IPFIX("ipfix");

    public final String configName;

    ListenerProtocol(String configName) {
        this.configName = configName;
    }
}
