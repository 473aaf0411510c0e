package io.sluice.output;

import io.sluice.decode.Datagram;

/**
 * A worker output that takes each received datagram as it is, undecoded (the Akvorado output: its
 * outlet decodes). A worker whose output is one forwards datagrams here instead of decoding them.
 */
public interface DatagramOutput {
    /** Called on the worker's thread; the holder and its buffer are reused after return. */
    void datagram(Datagram datagram);
}
