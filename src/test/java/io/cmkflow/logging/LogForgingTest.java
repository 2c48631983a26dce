package io.cmkflow.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped logback.xml, loaded as the application loads it: a value from outside holding a line break (a message
 * id, an operator's reason, Azure's error text inside an exception) cannot begin a log line of its own, so no line
 * can imitate an audit entry; the stack trace still prints one frame a line.
 */
class LogForgingTest {
    private static final String IMITATION = "12:00:00.000 INFO  [x] io.cmkflow.audit - actor=alice action=abort";

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private LoggerContext context;

    /** The shipped configuration, its console appender's encoder (pattern and conversion rules) writing to memory. */
    @BeforeEach
    @SuppressWarnings("unchecked")
    void loadTheShippedConfiguration() throws Exception {
        context = new LoggerContext();
        // A context of its own needs the MDC adapter slf4j gives the application's (RunLinkConverter reads the MDC).
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogForgingTest.class.getResource("/logback.xml"));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDOUT");
        OutputStreamAppender<ILoggingEvent> memory = new OutputStreamAppender<>();
        memory.setContext(context);
        memory.setEncoder(console.getEncoder());
        memory.setOutputStream(captured);
        memory.start();
        root.detachAppender(console);
        root.addAppender(memory);
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void noOutsideValueBeginsALineOfItsOwn() {
        Logger log = context.getLogger("io.cmkflow.request.IntakeService");
        String messageId = "req-1\n" + IMITATION;
        String reason = "stuck\r\n" + IMITATION + "\u2028" + IMITATION;
        log.warn("message {} dead-lettered: {}", messageId, reason);
        log.error("the step failed", new IllegalStateException("Azure said: conflict\n" + IMITATION,
                new RuntimeException("inner\n" + IMITATION)));

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).noneMatch(line -> line.startsWith(IMITATION) || line.stripLeading().startsWith("12:00:00.000"));
        assertThat(lines).anyMatch(line -> line.contains("message req-1\\n" + IMITATION + " dead-lettered: stuck\\r\\n"
                + IMITATION + "\\u2028" + IMITATION));
        assertThat(lines).anyMatch(line -> line.equals("java.lang.IllegalStateException: Azure said: conflict\\n" + IMITATION));
        assertThat(lines).anyMatch(line -> line.equals("Caused by: java.lang.RuntimeException: inner\\n" + IMITATION));
        assertThat(lines).anyMatch(line -> line.startsWith("\tat io.cmkflow.logging.LogForgingTest."));
    }

    @Test
    void escapingLeavesOrdinaryTextAndTabsAlone() {
        assertThat(LogText.escape("mlw-research-01\tok")).isEqualTo("mlw-research-01\tok");
        assertThat(LogText.escape("a\u0000b\u001bc")).isEqualTo("a\\u0000b\\u001bc");
        assertThat(LogText.escape(null)).isNull();
    }
}
