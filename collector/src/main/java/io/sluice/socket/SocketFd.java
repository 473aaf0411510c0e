package io.sluice.socket;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.DatagramChannel;

/**
 * The file descriptor behind a JDK DatagramChannel, which BPF maps, setsockopt and recvmmsg need.
 * The JDK keeps it in {@code sun.nio.ch.SelChImpl.getFDVal()}; the JVM must run with
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (bin/sluice and the tests pass it).
 */
public final class SocketFd {
    private static final MethodHandle GET_FD_VAL = lookup();

    private SocketFd() {}

    public static int of(DatagramChannel channel) {
        if (GET_FD_VAL == null) {
            throw new IllegalStateException("cannot read a socket's file descriptor: run the JVM with "
                    + "--add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
        }
        try {
            return (int) GET_FD_VAL.invoke(channel);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the file descriptor of " + channel, t);
        }
    }

    private static MethodHandle lookup() {
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            return MethodHandles.lookup().findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class));
        } catch (ReflectiveOperationException | IllegalAccessError | SecurityException e) {
            return null;
        }
    }
}
