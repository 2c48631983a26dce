package io.cmkflow.standins.servicebus;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ConnectionError;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.codec.DecodeException;
import org.apache.qpid.proton.engine.BaseHandler;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;
import org.apache.qpid.proton.reactor.Reactor;
import org.apache.qpid.proton.reactor.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP 1.0 side of the stand-in: proton-j reactor events in, Service Bus behaviour out. Every field is touched
 * only on the reactor thread; other threads hand work in through {@link #submit}.
 */
final class AmqpBroker extends BaseHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpBroker.class);
    private static final Symbol DEAD_LETTER = Symbol.valueOf("com.microsoft:dead-letter");
    private static final Symbol LOCK_LOST = Symbol.valueOf(ManagementNode.LOCK_LOST);
    private static final Symbol ENTITY_DISABLED = Symbol.valueOf("com.microsoft:entity-disabled");
    private static final int SWEEP_INTERVAL_MS = 50;
    private static final int PRODUCER_CREDIT = 200;
    private static final int CLOSE_GRACE_MS = 2000;
    private static final String CONTAINER_ID = "cmkflow-servicebus-standin";
    private static final EnumSet<EndpointState> ACTIVE = EnumSet.of(EndpointState.ACTIVE);
    private static final EnumSet<EndpointState> ANY = EnumSet.allOf(EndpointState.class);

    /** What an attached link is for, kept as the link's context. */
    private sealed interface LinkRole permits ProducerLink, ConsumerLink, RequestLink, ReplyLink {
    }

    /** A client sending messages to an entity. */
    private record ProducerLink(MessageEntity entity) implements LinkRole {
    }

    /** A client receiving from an entity; receive-and-delete when the client asked for pre-settled transfers. */
    private record ConsumerLink(MessageEntity entity, boolean receiveAndDelete) implements LinkRole {
    }

    /** A client sending requests to {@code $cbs} (entity null) or to an entity's management node. */
    private record RequestLink(MessageEntity entity) implements LinkRole {
    }

    /** The link on which a node's replies go back to the client. */
    private record ReplyLink() implements LinkRole {
    }

    /** Per connection: the entity paths its CBS tokens grant. */
    private static final class ConnectionState {
        private final Set<String> grantedPaths = new HashSet<>();
    }

    private final StandInOptions options;
    private final Map<String, MessageEntity> entities = new LinkedHashMap<>();
    private final Map<MessageEntity, List<Sender>> consumers = new HashMap<>();
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ClaimsBasedSecurityNode cbs;
    private final MessageCodec codec = new MessageCodec();
    private final Map<Connection, Task> closeDeadlines = new HashMap<>();
    private volatile Reactor reactor;
    private Task sweepTask;
    private long deliveryTagSequence;
    private int connectionsAccepted;

    AmqpBroker(StandInOptions options) {
        this.options = options;
        this.cbs = new ClaimsBasedSecurityNode(new SharedAccessSignatureValidator(options.sharedAccessKeys()));
        for (QueueDefinition definition : options.config().queues()) {
            MessageEntity queue = MessageEntity.queue(definition);
            entities.put(key(queue.path()), queue);
            entities.put(key(queue.deadLetterQueue().path()), queue.deadLetterQueue());
        }
    }

    /** Runs {@code task} on the reactor thread at its next turn. Thread-safe. */
    void submit(Runnable task) {
        tasks.add(task);
        Reactor current = reactor;
        if (current != null) {
            current.wakeup();
        }
    }

    void attachTo(Reactor reactor) {
        this.reactor = reactor;
    }

    // ---- state for inspection and faults (reactor thread) ----

    MessageEntity entity(String path) {
        return entities.get(key(path));
    }

    int connectionsAccepted() {
        return connectionsAccepted;
    }

    int openConnections() {
        return connections.size();
    }

    int refusedTokens() {
        return cbs.refusedTokens();
    }

    /** Closes every client connection with {@code amqp:connection:forced}, as a broker restart would. */
    void dropAllConnections() {
        for (Connection connection : new ArrayList<>(connections)) {
            connection.setCondition(new ErrorCondition(ConnectionError.CONNECTION_FORCED,
                    "The Service Bus stand-in closed the connection."));
            connection.close();
            forget(connection);
            // A client closes in reply and the socket goes; one that does not is cut off after a grace period.
            // (Cutting at once makes the client's reactor fail with a broken pipe and strands its pending settlements.)
            closeDeadlines.put(connection, reactor.schedule(CLOSE_GRACE_MS, new BaseHandler() {
                @Override
                public void onTimerTask(Event event) {
                    closeDeadlines.remove(connection);
                    Transport transport = connection.getTransport();
                    if (transport != null && !transport.isClosed()) {
                        transport.close_tail();
                        transport.close_head();
                    }
                }
            }));
        }
    }

    /** Stops the periodic sweep and closes all connections; the reactor then has nothing left to run. */
    void shutDown() {
        if (sweepTask != null) {
            sweepTask.cancel();
            sweepTask = null;
        }
        dropAllConnections();
    }

    // ---- reactor events ----

    @Override
    public void handle(Event event) {
        try {
            super.handle(event);
        } catch (RuntimeException e) {
            // One bad frame or bug must not stop the reactor thread, which serves every client.
            LOG.error("Service Bus stand-in failed handling {}", event.getType(), e);
        }
    }

    @Override
    public void onReactorInit(Event event) {
        sweepTask = event.getReactor().schedule(SWEEP_INTERVAL_MS, this);
    }

    @Override
    public void onTimerTask(Event event) {
        Instant now = Instant.now();
        for (MessageEntity entity : entities.values()) {
            entity.sweep(now);
        }
        entities.values().forEach(this::dispatch);
        if (sweepTask != null) {
            sweepTask = event.getReactor().schedule(SWEEP_INTERVAL_MS, this);
        }
    }

    @Override
    public void onReactorQuiesced(Event event) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Service Bus stand-in task failed", e);
            }
        }
    }

    @Override
    public void onConnectionRemoteOpen(Event event) {
        Connection connection = event.getConnection();
        if (connection.getLocalState() == EndpointState.UNINITIALIZED) {
            connection.setContainer(CONTAINER_ID);
            connection.setContext(new ConnectionState());
            connection.open();
            connections.add(connection);
            connectionsAccepted++;
        }
    }

    @Override
    public void onConnectionRemoteClose(Event event) {
        Connection connection = event.getConnection();
        if (connection.getLocalState() != EndpointState.CLOSED) {
            connection.close();
        }
        forget(connection);
    }

    @Override
    public void onTransportClosed(Event event) {
        Connection connection = event.getConnection();
        if (connection != null) {
            forget(connection);
            // A pending deadline would keep the reactor (and a stopping stand-in) waiting for nothing.
            Task deadline = closeDeadlines.remove(connection);
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    @Override
    public void onSessionRemoteOpen(Event event) {
        Session session = event.getSession();
        if (session.getLocalState() == EndpointState.UNINITIALIZED) {
            session.open();
        }
    }

    @Override
    public void onSessionRemoteClose(Event event) {
        Session session = event.getSession();
        if (session.getLocalState() != EndpointState.CLOSED) {
            session.close();
        }
    }

    @Override
    public void onLinkRemoteOpen(Event event) {
        Link link = event.getLink();
        if (link.getLocalState() != EndpointState.UNINITIALIZED) {
            return;
        }
        ConnectionState state = (ConnectionState) link.getSession().getConnection().getContext();
        if (link instanceof Receiver receiver) {
            attachIncoming(receiver, state);
        } else {
            attachOutgoing((Sender) link, state);
        }
    }

    @Override
    public void onLinkRemoteClose(Event event) {
        closeLink(event.getLink());
    }

    @Override
    public void onLinkRemoteDetach(Event event) {
        closeLink(event.getLink());
    }

    @Override
    public void onLinkFlow(Event event) {
        if (event.getLink().getContext() instanceof ConsumerLink consumer) {
            LOG.debug("Link {} has credit {}", event.getLink().getName(), event.getLink().getCredit());
            dispatch(consumer.entity());
        }
    }

    @Override
    public void onDelivery(Event event) {
        Delivery delivery = event.getDelivery();
        Object role = delivery.getLink().getContext();
        if (role instanceof ProducerLink producer) {
            receiveMessage((Receiver) delivery.getLink(), delivery, producer.entity());
        } else if (role instanceof RequestLink request) {
            receiveRequest((Receiver) delivery.getLink(), delivery, request.entity());
        } else if (role instanceof ConsumerLink consumer) {
            settleFromClient(delivery, consumer.entity());
        } else if (role instanceof ReplyLink && delivery.remotelySettled() && !delivery.isSettled()) {
            delivery.settle();
        }
    }

    // ---- attaching ----

    private void attachIncoming(Receiver receiver, ConnectionState state) {
        Target remoteTarget = (Target) receiver.getRemoteTarget();
        String path = remoteTarget == null || remoteTarget.getAddress() == null
                ? "" : SharedAccessSignatureValidator.pathBelowHost(remoteTarget.getAddress());
        LinkRole role;
        if (path.equals(ClaimsBasedSecurityNode.ADDRESS)) {
            role = new RequestLink(null);
        } else if (path.endsWith(ManagementNode.SUFFIX)) {
            String entityPath = path.substring(0, path.length() - ManagementNode.SUFFIX.length());
            MessageEntity entity = entity(entityPath);
            if (entity == null) {
                refuseNotFound(receiver, entityPath);
                return;
            }
            role = new RequestLink(entity);
        } else {
            MessageEntity entity = entity(path);
            if (entity == null) {
                refuseNotFound(receiver, path);
                return;
            }
            if (entity.isDeadLetterQueue()) {
                refuse(receiver, AmqpError.NOT_ALLOWED, "Cannot send to the dead-letter queue " + path + ".");
                return;
            }
            if (!isGranted(state, path)) {
                refuseUnauthorized(receiver, path, "Send");
                return;
            }
            role = new ProducerLink(entity);
            // Without a max-message-size the client refuses every send ("maximum message size: 0 kb").
            receiver.setMaxMessageSize(UnsignedLong.valueOf(options.maxMessageSize()));
        }
        receiver.setContext(role);
        receiver.setTarget(remoteTarget);
        receiver.setSource(receiver.getRemoteSource());
        receiver.setSenderSettleMode(receiver.getRemoteSenderSettleMode());
        receiver.setReceiverSettleMode(receiver.getRemoteReceiverSettleMode());
        receiver.open();
        receiver.flow(PRODUCER_CREDIT);
        LOG.debug("Attached {} link {} for {}", role.getClass().getSimpleName(), receiver.getName(), path);
    }

    private void attachOutgoing(Sender sender, ConnectionState state) {
        Source remoteSource = (Source) sender.getRemoteSource();
        String path = remoteSource == null || remoteSource.getAddress() == null
                ? "" : SharedAccessSignatureValidator.pathBelowHost(remoteSource.getAddress());
        LinkRole role;
        if (path.equals(ClaimsBasedSecurityNode.ADDRESS) || path.endsWith(ManagementNode.SUFFIX)) {
            role = new ReplyLink();
        } else {
            MessageEntity entity = entity(path);
            if (entity == null) {
                refuseNotFound(sender, path);
                return;
            }
            if (!isGranted(state, path)) {
                refuseUnauthorized(sender, path, "Listen");
                return;
            }
            role = new ConsumerLink(entity, sender.getRemoteSenderSettleMode() == SenderSettleMode.SETTLED);
        }
        sender.setContext(role);
        sender.setSource(remoteSource);
        sender.setTarget(sender.getRemoteTarget());
        sender.setSenderSettleMode(sender.getRemoteSenderSettleMode());
        sender.setReceiverSettleMode(sender.getRemoteReceiverSettleMode());
        sender.open();
        LOG.debug("Attached {} link {} for {}", role.getClass().getSimpleName(), sender.getName(), path);
        if (role instanceof ConsumerLink consumer) {
            consumers.computeIfAbsent(consumer.entity(), e -> new ArrayList<>()).add(sender);
            dispatch(consumer.entity());
        }
    }

    private void refuseNotFound(Link link, String path) {
        // The client only gives up at once on this description; anything else it retries until its try timeout.
        refuse(link, AmqpError.NOT_FOUND, "The messaging entity 'sb://" + options.host() + "/" + path
                + "' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.");
    }

    private void refuseUnauthorized(Link link, String path, String claim) {
        refuse(link, AmqpError.UNAUTHORIZED_ACCESS, "Unauthorized access. '" + claim
                + "' claim(s) are required to perform this operation. Resource: 'sb://" + options.host() + "/" + path
                + "'. No valid CBS token was put for it on this connection.");
    }

    /** Attach with no terminus on the refused side, then detach with the error, as Service Bus does. */
    private void refuse(Link link, Symbol condition, String description) {
        if (link instanceof Receiver) {
            link.setSource(link.getRemoteSource());
        } else {
            link.setTarget(link.getRemoteTarget());
        }
        link.open();
        link.setCondition(new ErrorCondition(condition, description));
        link.close();
    }

    private boolean isGranted(ConnectionState state, String path) {
        for (String granted : state.grantedPaths) {
            if (SharedAccessSignatureValidator.covers(granted, path)) {
                return true;
            }
        }
        return false;
    }

    private void closeLink(Link link) {
        LOG.debug("Client closed link {}", link.getName());
        if (link.getContext() instanceof ConsumerLink consumer) {
            List<Sender> senders = consumers.get(consumer.entity());
            if (senders != null) {
                senders.remove(link);
            }
        }
        if (link.getLocalState() != EndpointState.CLOSED) {
            link.close();
        }
    }

    private void forget(Connection connection) {
        connections.remove(connection);
        for (List<Sender> senders : consumers.values()) {
            senders.removeIf(sender -> sender.getSession().getConnection() == connection);
        }
    }

    // ---- sending side: messages and requests from clients ----

    private void receiveMessage(Receiver receiver, Delivery delivery, MessageEntity entity) {
        byte[] payload = readComplete(receiver, delivery);
        if (payload == null) {
            return;
        }
        DeliveryState outcome = Accepted.getInstance();
        if (entity.sendDisabled()) {
            // Service Bus refuses each transfer to a SendDisabled entity; the link stays attached.
            entity.refuseSend();
            Rejected disabled = new Rejected();
            disabled.setError(new ErrorCondition(ENTITY_DISABLED, "Messaging entity '" + options.host() + ":Queue:"
                    + entity.path() + "' is currently disabled for Send operations."));
            if (!delivery.remotelySettled()) {
                delivery.disposition(disabled);
            }
            delivery.settle();
            topUpCredit(receiver);
            return;
        }
        try {
            List<byte[]> messages = delivery.getMessageFormat() == MessageCodec.BATCH_MESSAGE_FORMAT
                    ? codec.splitBatch(payload) : List.of(payload);
            Instant now = Instant.now();
            for (byte[] message : messages) {
                if (!entity.enqueue(message, MessageCodec.decode(message), now)) {
                    LOG.debug("Duplicate message dropped on {}", entity.path());
                }
            }
        } catch (DecodeException | IllegalArgumentException e) {
            Rejected rejected = new Rejected();
            rejected.setError(new ErrorCondition(AmqpError.DECODE_ERROR, "The message could not be decoded: "
                    + e.getMessage()));
            outcome = rejected;
        }
        if (!delivery.remotelySettled()) {
            delivery.disposition(outcome);
        }
        delivery.settle();
        topUpCredit(receiver);
        dispatch(entity);
    }

    private void receiveRequest(Receiver receiver, Delivery delivery, MessageEntity entity) {
        byte[] payload = readComplete(receiver, delivery);
        if (payload == null) {
            return;
        }
        if (!delivery.remotelySettled()) {
            delivery.disposition(Accepted.getInstance());
        }
        delivery.settle();
        topUpCredit(receiver);
        Message request = MessageCodec.decode(payload);
        ConnectionState state = (ConnectionState) receiver.getSession().getConnection().getContext();
        Instant now = Instant.now();
        Message reply;
        if (entity == null) {
            reply = cbs.handle(request, state.grantedPaths, now);
        } else if (!isGranted(state, entity.path()) && !isGranted(state, entity.path() + ManagementNode.SUFFIX)) {
            // The Java client puts a token for the entity; the Node.js SDK one for the management node itself.
            reply = NodeResponse.failure(NodeResponse.UNAUTHORIZED, "amqp:unauthorized-access",
                    "No valid CBS token was put for " + entity.path() + " on this connection.");
        } else {
            reply = ManagementNode.handle(request, entity, now);
            dispatchWithDeadLetters(entity);
        }
        reply.setCorrelationId(request.getMessageId());
        sendReply(receiver, request.getReplyTo(), reply);
    }

    /** The whole transfer once its last frame is in; null while frames are still arriving or if it was aborted. */
    private static byte[] readComplete(Receiver receiver, Delivery delivery) {
        if (delivery.isAborted()) {
            receiver.advance();
            delivery.settle();
            return null;
        }
        if (!delivery.isReadable() || delivery.isPartial()) {
            return null;
        }
        byte[] payload = new byte[delivery.pending()];
        int read = receiver.recv(payload, 0, payload.length);
        receiver.advance();
        if (read != payload.length) {
            byte[] exact = new byte[Math.max(read, 0)];
            System.arraycopy(payload, 0, exact, 0, exact.length);
            return exact;
        }
        return payload;
    }

    private static void topUpCredit(Receiver receiver) {
        if (receiver.getCredit() < PRODUCER_CREDIT / 2) {
            receiver.flow(PRODUCER_CREDIT - receiver.getCredit());
        }
    }

    /**
     * Replies go on the reply link whose target address is the request's reply-to, or, failing that, whose link name
     * is: the Java client and pyamqp name the reply address as the link's target, the Node.js SDK's CBS client
     * (rhea) names its {@code $cbs} receiver link after the reply-to and gives it no target address. A request
     * without reply-to (pyamqp's CBS put-token) goes to the session's reply link. The request's own session is
     * searched first, then the rest of the connection.
     */
    private void sendReply(Receiver requestLink, String replyTo, Message reply) {
        Sender replyLink = findReplyLink(requestLink, replyTo);
        if (replyLink == null) {
            LOG.warn("No reply link for a request to {} with reply-to {}; reply dropped",
                    targetAddress(requestLink), replyTo);
            return;
        }
        byte[] bytes = MessageCodec.encode(reply);
        Delivery delivery = replyLink.delivery(nextDeliveryTag());
        replyLink.send(bytes, 0, bytes.length);
        replyLink.advance();
        delivery.settle();
    }

    private static Sender findReplyLink(Receiver requestLink, String replyTo) {
        Session session = requestLink.getSession();
        Sender byName = null;
        Sender elsewhereByTarget = null;
        Sender elsewhereByName = null;
        for (Link link = session.getConnection().linkHead(ACTIVE, ANY); link != null;
             link = link.next(ACTIVE, ANY)) {
            if (!(link instanceof Sender sender) || !(link.getContext() instanceof ReplyLink)) {
                continue;
            }
            boolean sameSession = link.getSession() == session;
            if (replyTo == null) {
                if (sameSession) {
                    return sender;
                }
            } else if (replyTo.equals(targetAddress(link))) {
                if (sameSession) {
                    return sender;
                }
                elsewhereByTarget = elsewhereByTarget == null ? sender : elsewhereByTarget;
            } else if (replyTo.equals(link.getName())) {
                if (sameSession) {
                    byName = byName == null ? sender : byName;
                } else {
                    elsewhereByName = elsewhereByName == null ? sender : elsewhereByName;
                }
            }
        }
        if (byName != null) {
            return byName;
        }
        return elsewhereByTarget != null ? elsewhereByTarget : elsewhereByName;
    }

    private static String targetAddress(Link link) {
        Object target = link.getRemoteTarget();
        return target instanceof Target t ? t.getAddress() : null;
    }

    private byte[] nextDeliveryTag() {
        return Long.toString(++deliveryTagSequence).getBytes(StandardCharsets.US_ASCII);
    }

    // ---- receiving side: deliveries to clients and their settlement ----

    private void dispatch(MessageEntity entity) {
        List<Sender> senders = consumers.get(entity);
        if (senders == null || senders.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        boolean delivered = true;
        while (delivered) {
            delivered = false;
            for (Sender sender : senders) {
                if (sender.getCredit() <= 0 || sender.getLocalState() != EndpointState.ACTIVE
                        || sender.getRemoteState() != EndpointState.ACTIVE) {
                    continue;
                }
                ConsumerLink consumer = (ConsumerLink) sender.getContext();
                BrokeredMessage message = consumer.receiveAndDelete() ? entity.removeNext(now) : entity.lockNext(now);
                if (message == null) {
                    return;
                }
                deliver(sender, message, consumer.receiveAndDelete());
                delivered = true;
            }
        }
    }

    private void deliver(Sender sender, BrokeredMessage message, boolean presettled) {
        LOG.debug("Delivering message {} of {} on link {}", message.sequenceNumber(), sender.getName(),
                sender.getSession().getConnection().getRemoteContainer());
        byte[] bytes = message.encodeForClient(true);
        // The client reads the lock token from the delivery tag, in .NET Guid byte order.
        byte[] tag = presettled ? nextDeliveryTag() : MessageCodec.lockTokenTag(message.lockToken());
        Delivery delivery = sender.delivery(tag);
        delivery.setContext(presettled ? null : message.lockToken());
        sender.send(bytes, 0, bytes.length);
        sender.advance();
        if (presettled) {
            delivery.settle();
        }
    }

    private void settleFromClient(Delivery delivery, MessageEntity entity) {
        if (delivery.isSettled() || !(delivery.getContext() instanceof UUID lockToken)) {
            return;
        }
        DeliveryState requested = delivery.getRemoteState();
        if (requested == null) {
            return;
        }
        Instant now = Instant.now();
        DeliveryState answer;
        if (requested instanceof Accepted) {
            answer = settleOrLockLost(entity, lockToken, MessageEntity.Settlement.COMPLETE, null, null, Map.of(), now,
                    Accepted.getInstance());
        } else if (requested instanceof Modified modified) {
            MessageEntity.Settlement settlement = Boolean.TRUE.equals(modified.getUndeliverableHere())
                    ? MessageEntity.Settlement.DEFER : MessageEntity.Settlement.ABANDON;
            answer = settleOrLockLost(entity, lockToken, settlement, null, null,
                    RequestFields.stringKeys(modified.getMessageAnnotations()), now, modified);
        } else if (requested instanceof Rejected rejected && rejected.getError() != null
                && DEAD_LETTER.equals(rejected.getError().getCondition())) {
            Map<String, Object> info = RequestFields.stringKeys(rejected.getError().getInfo());
            Object reason = info.remove(DeadLetterReasons.REASON_PROPERTY);
            Object description = info.remove(DeadLetterReasons.DESCRIPTION_PROPERTY);
            // Answered with a Rejected of no error: the Java client only compares the outcome type, the Node.js SDK
            // fails the settlement when the answer carries an error (as it does for lock lost).
            answer = settleOrLockLost(entity, lockToken, MessageEntity.Settlement.DEAD_LETTER,
                    reason == null ? null : reason.toString(), description == null ? null : description.toString(),
                    info, now, new Rejected());
        } else if (requested instanceof Released) {
            answer = settleOrLockLost(entity, lockToken, MessageEntity.Settlement.RELEASE, null, null, Map.of(), now,
                    Released.getInstance());
        } else {
            Rejected unsupported = new Rejected();
            unsupported.setError(new ErrorCondition(AmqpError.NOT_IMPLEMENTED,
                    "The Service Bus stand-in does not support the outcome " + requested.getType()
                            + " (transactions are not implemented)."));
            answer = unsupported;
        }
        if (!delivery.remotelySettled()) {
            // The client completes the settlement only when the answer has the outcome type it asked for.
            delivery.disposition(answer);
        }
        delivery.settle();
        dispatchWithDeadLetters(entity);
    }

    /** A settlement can free a message for the entity and dead-letter another one, so both may have work. */
    private void dispatchWithDeadLetters(MessageEntity entity) {
        dispatch(entity);
        if (entity.deadLetterQueue() != null) {
            dispatch(entity.deadLetterQueue());
        }
    }

    private static DeliveryState settleOrLockLost(MessageEntity entity, UUID lockToken,
                                                  MessageEntity.Settlement settlement, String reason,
                                                  String description, Map<String, Object> properties, Instant now,
                                                  DeliveryState success) {
        if (entity.settle(lockToken, settlement, reason, description, properties, now)) {
            return success;
        }
        Rejected lockLost = new Rejected();
        lockLost.setError(new ErrorCondition(LOCK_LOST, "The lock supplied is invalid. Either the lock expired, "
                + "or the message has already been removed from the queue."));
        return lockLost;
    }

    private static String key(String path) {
        return path.toLowerCase(Locale.ROOT);
    }
}
