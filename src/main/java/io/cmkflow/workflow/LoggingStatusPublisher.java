package io.cmkflow.workflow;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StatusPublisher} that writes one log line per event, for runs without a status queue. Status events carry
 * resource ids, states and error messages, never credentials, so they are logged as they are.
 */
public class LoggingStatusPublisher implements StatusPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingStatusPublisher.class);

    @Override
    public void publish(StatusEvent event) {
        LOG.info("status event {} request={} workflow={} type={} status={} step={} message={} resources={}",
                event.eventId(), event.requestId(), event.workflowId(), event.type(), event.status(),
                event.step(), event.message(), event.resources());
    }
}
