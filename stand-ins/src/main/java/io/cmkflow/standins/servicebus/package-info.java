/**
 * Dev mode's Azure Service Bus: an in-process AMQP 1.0 server on Apache Qpid Proton-J that the real
 * {@code azure-messaging-servicebus} client reaches with {@code UseDevelopmentEmulator=true}, so intake and status
 * publishing run through the production client code without a namespace in Azure.
 *
 * <p>{@link io.cmkflow.standins.servicebus.ServiceBusStandIn} is the entry point. Queues are declared in the official
 * emulator's Config.json form ({@link io.cmkflow.standins.servicebus.EmulatorConfig}) and the emulator's well-known
 * connection string is accepted, so tools and samples written for the emulator work unchanged. The wire contract it
 * follows, with its public sources, is described in docs/servicebus-wire-contract.md.
 *
 * <p>What it implements, as the client sees it: SASL ANONYMOUS; the {@code $cbs} node with put-token, validating
 * the shared access signature against the configured keys and refusing links to entities no token grants; sending
 * single messages and batches; peek-lock and receive-and-delete receivers; complete, abandon, defer, dead-letter
 * and release outcomes answered with the same outcome type; lock duration, lock expiry (lock lost) and renewal;
 * delivery count and MaxDeliveryCount; the dead-letter sub-queue with DeadLetterReason and
 * DeadLetterErrorDescription; message time to live with optional dead-lettering on expiry; duplicate detection by
 * MessageId within the configured window; the management node's renew-lock, peek-message, update-disposition,
 * receive-by-sequence-number (deferred messages), schedule-message and cancel-scheduled-message (scheduled messages,
 * also by the x-opt-scheduled-enqueue-time annotation on a plain send); the not-found error for unknown entities; a
 * queue's SendDisabled status (sends refused with {@code com.microsoft:entity-disabled}); and
 * a server-side drop of all connections for reconnection tests. As in Service Bus, a lock outlives the link and connection it was
 * granted on, so a settlement sent through the management node after a reconnect still succeeds.
 *
 * <p>What it does not implement: topics and subscriptions (declared topics are logged and not served), sessions,
 * transactions, auto-forwarding, rules, Azure AD (JWT) tokens, TLS and WebSockets, the administration (ATOM) API and the
 * emulator's HTTP health endpoint, quotas and throttling (no ServerBusy), and persistence: messages live in memory
 * and are gone when the stand-in stops. The advertised max-message-size is enforced by the client, not re-checked
 * by the server. Deferred messages are always received under a lock, whatever receive mode is asked for.
 *
 * <p>Besides the Java client, the official Node.js ({@code @azure/service-bus}) and Python ({@code azure-servicebus})
 * SDKs are checked against it (NodeSdkConformanceTest, PythonSdkConformanceTest). What they need beyond the Java
 * client: replies routed to the reply link named by the request's reply-to as its target address or as its link name
 * (Node.js CBS), or to the session's reply link when there is no reply-to (Python CBS); both the status-code and the
 * statusCode spelling in replies (Python CBS reads only status-code); put-token of type jwt carrying a shared access
 * signature (Python); a CBS token for {@code <entity>/$management} granting that node (Node.js); a dead-letter
 * settlement answered with a Rejected without error (Node.js fails a settlement whose answer carries one).
 *
 * <p>Threading: proton-j is not thread-safe, so all broker state lives on the reactor thread; inspection and fault
 * requests from other threads are queued and run when the reactor goes idle, and a 50 ms reactor timer sweeps
 * expired locks and messages.
 */
package io.cmkflow.standins.servicebus;
