package io.cmkflow.crash;

import io.cmkflow.dev.DevStandIns;
import io.micronaut.context.ApplicationContext;

/**
 * The worker of the crash tests, in a JVM of its own: the application in environment {@code dev} (worker on, intake
 * off), configured through system properties (Temporal address, the test JVM's ARM simulator and Service Bus
 * stand-in). Prints {@link #READY} once the context is up, then runs until it is killed.
 */
public final class CrashWorkerMain {
    static final String READY = "CRASH-WORKER-READY";

    private CrashWorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                .environments(DevStandIns.DEV_ENVIRONMENT).start();
        System.out.println(READY + " " + ProcessHandle.current().pid());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(context::close));
        Thread.currentThread().join();
    }
}
