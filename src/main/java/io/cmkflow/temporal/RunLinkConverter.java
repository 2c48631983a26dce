package io.cmkflow.temporal;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.cmkflow.contract.RunLogKeys;

import java.util.Map;

/**
 * {@code %runLink} in logback.xml: every log line about a run ends with its Temporal UI page. The run comes from the
 * MDC the Temporal SDK sets in workflow and activity threads ({@link RunLogKeys}), or that the intake
 * sets around its own lines. Logback creates converters itself, so the UI address and namespace are handed over once
 * at start-up ({@link #use}) rather than injected.
 */
public class RunLinkConverter extends ClassicConverter {
    private static volatile TemporalSettings settings;

    static void use(TemporalSettings configured) {
        settings = configured;
    }

    @Override
    public String convert(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        String workflowId = mdc.get(RunLogKeys.WORKFLOW_ID);
        TemporalSettings links = settings;
        if (workflowId == null || links == null) {
            return "";
        }
        return " [" + links.runLink(workflowId, mdc.get(RunLogKeys.RUN_ID)) + "]";
    }
}
