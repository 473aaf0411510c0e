package io.sluice.decode.template;

import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Protocol;

/**
 * A template-only message rebuilt from a snapshot, with the protocol it was written in, so the caller
 * routes it to a decoder of that protocol without reading the version back out of the payload.
 *
 * @param protocol {@link Protocol#NETFLOW9} or {@link Protocol#IPFIX}
 */
public record TemplateMessage(Protocol protocol, CapturedDatagram datagram) {}
