package io.cmkflow.temporal;

import io.cmkflow.contract.AzureErrorClass;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.failure.ApplicationFailure;

/**
 * Times every activity attempt on this worker: {@code cmkflow_step_duration_seconds{step, outcome}} (a histogram;
 * step = the activity type, outcome = success or the failure type, e.g. THROTTLED) and, for a throttled attempt,
 * {@code cmkflow_arm_throttled_total{step}} and the Retry-After it waits before the next attempt, {@code
 * cmkflow_arm_throttling_wait_seconds{step}}. An interceptor, so every step is timed the same way without touching one.
 */
public final class StepMetrics extends WorkerInterceptorBase {
    public static final String STEP_DURATION = "cmkflow.step.duration";
    public static final String THROTTLED = "cmkflow.arm.throttled";
    public static final String THROTTLING_WAIT = "cmkflow.arm.throttling.wait";

    private final MeterRegistry registry;

    public StepMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            private String step;

            @Override
            public void init(ActivityExecutionContext context) {
                step = context.getInfo().getActivityType();
                super.init(context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                Timer.Sample attempt = Timer.start(registry);
                String outcome = "success";
                try {
                    return super.execute(input);
                } catch (ApplicationFailure failure) {
                    outcome = failure.getType();
                    if (AzureErrorClass.THROTTLED.name().equals(failure.getType())) {
                        throttled(failure);
                    }
                    throw failure;
                } catch (RuntimeException | Error failure) {
                    outcome = failure.getClass().getSimpleName();
                    throw failure;
                } finally {
                    attempt.stop(Timer.builder(STEP_DURATION).description("Duration of each step (activity) attempt")
                            .tag("step", step).tag("outcome", outcome).publishPercentileHistogram().register(registry));
                }
            }

            private void throttled(ApplicationFailure failure) {
                registry.counter(THROTTLED, "step", step).increment();
                if (failure.getNextRetryDelay() != null) {
                    Timer.builder(THROTTLING_WAIT).description("Retry-After Azure asked a throttled step to wait")
                            .tag("step", step).register(registry).record(failure.getNextRetryDelay());
                }
            }
        };
    }
}
