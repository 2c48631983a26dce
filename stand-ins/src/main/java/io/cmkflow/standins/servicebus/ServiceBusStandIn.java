package io.cmkflow.standins.servicebus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.HandlerException;
import org.apache.qpid.proton.reactor.Acceptor;
import org.apache.qpid.proton.reactor.Reactor;
import org.apache.qpid.proton.reactor.impl.AcceptorImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process Azure Service Bus stand-in: an AMQP 1.0 server on Apache Qpid Proton-J that the real
 * {@code azure-messaging-servicebus} client reaches with {@code UseDevelopmentEmulator=true}.
 *
 * <pre>{@code
 * try (ServiceBusStandIn sb = ServiceBusStandIn.start(StandInOptions.builder().port(0).build())) {
 *     new ServiceBusClientBuilder().connectionString(sb.connectionString()).sender().queueName("cmk-requests")...
 *     sb.queue("cmk-requests").activeCount();
 * }
 * }</pre>
 *
 * <p>It serves on its own non-daemon thread until {@link #close()}, so a program that only starts it keeps serving
 * (see {@link #main}).
 */
public final class ServiceBusStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceBusStandIn.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final StandInOptions options;
    private final AmqpBroker broker;
    private final Reactor reactor;
    private final Acceptor acceptor;
    private final Thread reactorThread;
    private final int port;
    private volatile boolean closed;

    private ServiceBusStandIn(StandInOptions options, AmqpBroker broker, Reactor reactor, Acceptor acceptor, int port) {
        this.options = options;
        this.broker = broker;
        this.reactor = reactor;
        this.acceptor = acceptor;
        this.port = port;
        this.reactorThread = new Thread(this::run, "servicebus-standin-" + port);
        // Non-daemon whoever starts it: a program that only starts the stand-in keeps serving.
        this.reactorThread.setDaemon(false);
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws UncheckedIOException when the port cannot be bound (for example, already in use)
     */
    public static ServiceBusStandIn start(StandInOptions options) {
        AmqpBroker broker = new AmqpBroker(options);
        Reactor reactor;
        Acceptor acceptor;
        int port;
        try {
            reactor = Proton.reactor(broker);
            acceptor = reactor.acceptor(options.host(), options.port(), broker);
            port = ((AcceptorImpl) acceptor).getPortNumber();
        } catch (IOException e) {
            throw new UncheckedIOException("Service Bus stand-in cannot listen on " + options.host() + ":"
                    + options.port(), e);
        }
        broker.attachTo(reactor);
        ServiceBusStandIn standIn = new ServiceBusStandIn(options, broker, reactor, acceptor, port);
        standIn.reactorThread.start();
        LOG.info("Service Bus stand-in listening on amqp://{}:{} with queues {}", options.host(), port,
                options.config().queues().stream().map(QueueDefinition::name).toList());
        return standIn;
    }

    /** The port actually bound (the chosen one when the options asked for 0). */
    public int port() {
        return port;
    }

    /**
     * A connection string for the real client, in the official emulator's form with this stand-in's port and first
     * configured key.
     */
    public String connectionString() {
        return connectionString(options.sharedAccessKeys().entrySet().iterator().next().getValue());
    }

    /** {@link #connectionString()} with the key written {@code ***}: what may be printed or logged. */
    public String maskedConnectionString() {
        return connectionString("***");
    }

    private String connectionString(String key) {
        return "Endpoint=sb://" + options.host() + ":" + port + ";SharedAccessKeyName="
                + options.sharedAccessKeys().keySet().iterator().next() + ";SharedAccessKey=" + key + ";UseDevelopmentEmulator=true;";
    }

    /**
     * A view of a configured queue.
     *
     * @throws IllegalArgumentException when no queue of that name is configured
     */
    public QueueView queue(String name) {
        boolean known = onReactor(broker -> {
            MessageEntity entity = broker.entity(name);
            return entity != null && !entity.isDeadLetterQueue();
        });
        if (!known) {
            throw new IllegalArgumentException("queue: no queue named '" + name + "' is configured; configured: "
                    + options.config().queues().stream().map(QueueDefinition::name).toList());
        }
        return new QueueView(name, this);
    }

    /**
     * Sets a queue's status to SendDisabled ({@code true}) or back to Active: while disabled, each message sent to
     * it is refused with {@code com.microsoft:entity-disabled}, as Service Bus does; receivers go on receiving.
     */
    public void sendDisabled(String queue, boolean disabled) {
        queue(queue);
        onReactor(broker -> {
            broker.entity(queue).sendDisabled(disabled);
            return null;
        });
    }

    /** Closes every client connection from the server side; clients are expected to reconnect. */
    public void dropAllConnections() {
        onReactor(broker -> {
            broker.dropAllConnections();
            return null;
        });
    }

    /** Connections accepted since start, counting reconnections. */
    public int connectionsAccepted() {
        return onReactor(AmqpBroker::connectionsAccepted);
    }

    /** Client connections open now. */
    public int openConnections() {
        return onReactor(AmqpBroker::openConnections);
    }

    /** CBS tokens refused since start (wrong key, expired, wrong audience). */
    public int refusedTokens() {
        return onReactor(AmqpBroker::refusedTokens);
    }

    /** Closes all connections and the listening socket, and ends the reactor thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        broker.submit(() -> {
            acceptor.close();
            broker.shutDown();
        });
        try {
            reactorThread.join(STOP_TIMEOUT.toMillis());
            if (reactorThread.isAlive()) {
                // A peer that never finishes closing must not keep the stand-in alive.
                broker.submit(reactor::stop);
                reactorThread.join(STOP_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Service Bus stand-in on port {} stopped", port);
    }

    /** Runs {@code read} on the reactor thread, where all broker state lives, and waits for its result. */
    <T> T onReactor(Function<AmqpBroker, T> read) {
        if (closed) {
            throw new IllegalStateException("the Service Bus stand-in on port " + port + " is closed");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        broker.submit(() -> {
            try {
                result.complete(read.apply(broker));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the Service Bus stand-in", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Service Bus stand-in did not answer within " + CALL_TIMEOUT, e);
        }
    }

    private void run() {
        try {
            reactor.run();
        } catch (HandlerException e) {
            LOG.error("Service Bus stand-in reactor stopped on an error", e);
        } finally {
            reactor.free();
        }
    }

    /**
     * Serves until the JVM is stopped. Arguments: {@code [port] [path to Config.json]}; defaults 5672 and the shipped
     * {@value EmulatorConfig#DEFAULT_RESOURCE}. Clients use the official emulator's connection string.
     */
    public static void main(String[] args) throws IOException {
        StandInOptions.Builder builder = StandInOptions.builder();
        if (args.length > 0) {
            try {
                builder.port(Integer.parseInt(args[0]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port: must be a number, was '" + args[0] + "'", e);
            }
        }
        if (args.length > 1) {
            builder.config(EmulatorConfig.parse(Files.readString(Path.of(args[1]))));
        }
        ServiceBusStandIn standIn = start(builder.build());
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close, "servicebus-standin-shutdown"));
    }
}
