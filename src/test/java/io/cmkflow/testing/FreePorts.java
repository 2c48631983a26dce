package io.cmkflow.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers a test or bench starts on a fixed port (Temporal dev and test servers, Service Bus
 * stand-in). They are drawn below Linux's ephemeral range (32768–60999): a port picked there is released before its
 * server binds it, and in that gap the kernel may hand it to any outgoing connection or to a dev server's own
 * port-0 listeners (seen in CI: "Service Bus stand-in cannot listen"). No port is handed out twice by one JVM.
 */
public final class FreePorts {
    private static final int LOWEST = 20000;
    private static final int HIGHEST = 32000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    public static synchronized int next() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST);
            if (!HANDED_OUT.contains(port) && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + HIGHEST);
    }

    private static boolean bindable(int port) {
        for (String host : new String[] {"127.0.0.1", "0.0.0.0"}) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
