package io.cmkflow.dev;

import io.cmkflow.testing.FreePorts;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.operator.RunControl;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What an operator does in the Temporal UI (the one `cmkflow dev` serves), in Debian's headless Chromium driven by
 * Selenium: a run parked on a refused workspace create (ARM 403 at step 5) is found in the workflow list by
 * {@code CmkStatus="AwaitingOperator"}, its page shows the static summary, the current details (step table, error)
 * and the steps' activity summaries, and cancelling it with the UI's button and confirm dialog compensates: the run
 * closes Canceled and what it created in the ARM simulator is gone.
 * With {@code -Dcmkflow.screenshots=docs} it saves the list and the run page as PNG files in that folder.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TemporalUiBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-00000000b0a1";
    private static final String GROUP = "rg-ui-oncall";
    private static final Duration UI_WAIT = Duration.ofSeconds(45);

    @TempDir
    Path state;

    @Test
    void anOperatorFindsInspectsAndCancelsAParkedRunInTheTemporalUi() throws Exception {
        requireChromium();
        Map<String, Object> properties = Map.of(
                "cmkflow.dev.service-bus-port", FreePorts.next(),
                "cmkflow.dev.workspace-operation-duration", "PT0.2S");
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (DevMode dev = DevMode.start(state, false, FreePorts.next(), FreePorts.next(), properties, out)) {
            ArmSimulator arm = dev.application().getBean(ArmSimulator.class);
            WorkflowClient client = dev.application().getBean(WorkflowClient.class);
            CmkRequest request = request();
            String workflowId = WorkflowIds.forRequest(request);
            park(dev, arm, client, request);

            WebDriver browser = browser();
            try {
                Ui ui = new Ui(browser, dev.temporal().uiUrl());

                // 1. The list filtered by the visibility query shows the parked run.
                ui.open("/namespaces/default/workflows?query=" + encode("CmkStatus=\"AwaitingOperator\""));
                ui.waitForText(workflowId);
                ui.screenshot("temporal-ui-parked-runs.png");

                // 2. The run's page. Its timeline shows each activity with its summary ("Step N: ...").
                ui.click(By.xpath("//a[normalize-space(.)='" + workflowId + "']"));
                for (String summary : List.of("Step 1: register resource providers", "Step 2: create key vault kv-ui-cancel",
                        "Step 3: create key cmk-ui-cancel in kv-ui-cancel", "Step 4: grant Cosmos DB key access on kv-ui-cancel",
                        "Step 5: create workspace mlw-ui-cancel")) {
                    ui.waitForText(summary);
                }
                ui.screenshot("temporal-ui-run.png");
                // Its User Metadata tab: the static summary and details, and the current details (Markdown).
                // Its User Metadata tab: the static summary and details and the current details, each Markdown
                // rendered in its own iframe.
                ui.click(By.cssSelector("[data-testid='user-metadata-tab']"));
                ui.waitForTextInFrame("user-metadata-summary",
                        "CMK workspace mlw-ui-cancel in " + GROUP + " (" + SUBSCRIPTION + "), request req-ui-cancel");
                ui.waitForTextInFrame("user-metadata-details", "CMK workspace request");
                ui.waitForInFrame("user-metadata-details", row("Key vault", "kv-ui-cancel"));
                ui.waitForTextInFrame("user-metadata-current-details", "Status: AwaitingOperator at step 5 (create workspace)");
                ui.waitForInFrame("user-metadata-current-details", row("2", "create key vault", "DONE", "CREATED", "1"));
                ui.waitForInFrame("user-metadata-current-details", row("5", "create workspace", "FAILED", "", "1"));
                ui.waitForTextInFrame("user-metadata-current-details", "Last error: step 5 (create workspace): createWorkspace:"
                        + " NON_RETRYABLE AuthorizationFailed (HTTP 403): the worker may not create workspaces");
                ui.waitForTextInFrame("user-metadata-current-details", "Waiting for an operator");
                ui.screenshot("temporal-ui-run-details.png");

                // 3. Cancel from the UI: the button, then the confirm dialog.
                ui.click(By.xpath("//button[normalize-space(.)='Request Cancellation']"));
                ui.click(By.cssSelector("[data-testid='cancel-confirmation-modal'] [data-testid='confirm-modal-button']"));

                WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
                assertThatThrownBy(() -> stub.getResult(60, TimeUnit.SECONDS, CmkRunState.class))
                        .isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
                assertThat(stub.describe().getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
                assertThat(new RunControl(client).state(workflowId).status()).isEqualTo(CmkStatus.Cancelled);
                assertThat(arm.state().workspace(SUBSCRIPTION, GROUP, request.workspace().name())).isEmpty();
                assertThat(arm.state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isEmpty();
                assertThat(arm.state().deletedVault(request.keyVault().name())).isPresent();
                // The run's page shows the close (it refreshes after the cancel request).
                ui.waitForText(By.cssSelector("[data-testid='execution-status']"), "CANCELED");
            } finally {
                browser.quit();
            }
        }
    }

    /** Fails, never skips, when Debian's chromium / chromium-driver are missing. */
    static void requireChromium() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: this test drives Debian's headless Chromium. Install it with"
                        + " `apt-get update && apt-get install -y chromium chromium-driver` (./test does it when missing).");
            }
        }
    }

    /** Debian's chromium through its own chromedriver: no Selenium Manager, nothing downloaded. */
    static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1600,1400", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static CmkRequest request() {
        return new CmkRequest("req-ui-cancel", SUBSCRIPTION, "72f988bf-86f1-41af-91ab-2d7cd011db47",
                CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-ui-cancel", null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-ui-cancel", null, "standard", 7, null),
                new CmkRequest.Key("cmk-ui-cancel", 3072, "RSA"), Map.of());
    }

    /** Starts a run whose workspace create ARM refuses (403, non-retryable) and waits until it is parked at step 5. */
    private static void park(DevMode dev, ArmSimulator arm, WorkflowClient client, CmkRequest request) {
        arm.state().resourceGroup(SUBSCRIPTION, GROUP, request.location());
        arm.faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        CmkWorkflowStarter starter = dev.application().getBean(CmkWorkflowStarter.class);
        assertThat(starter.start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        RunControl control = new RunControl(client);
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200)).until(() -> control.parked().stream()
                .anyMatch(run -> run.workflowId().equals(WorkflowIds.forRequest(request)) && "create_workspace".equals(run.stage())));
        assertThat(arm.state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isPresent();
    }

    /** A Markdown table row whose first cells are {@code cells}, in order. */
    private static By row(String... cells) {
        StringBuilder xpath = new StringBuilder("//tr[");
        for (int i = 0; i < cells.length; i++) {
            xpath.append(i == 0 ? "" : " and ").append("td[").append(i + 1).append("][normalize-space(.)='").append(cells[i]).append("']");
        }
        return By.xpath(xpath.append(']').toString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The browser on the UI: explicit waits only; on a failed wait the page's text and a screenshot go to target/. */
    private static final class Ui {
        private final WebDriver browser;
        private final String base;
        private final WebDriverWait wait;

        Ui(WebDriver browser, String base) {
            this.browser = browser;
            this.base = base;
            this.wait = new WebDriverWait(browser, UI_WAIT, Duration.ofMillis(250));
            wait.ignoring(StaleElementReferenceException.class);
        }

        void open(String path) {
            browser.get(base + path);
        }

        void waitForText(By by, String text) {
            until(by + " with text " + text, d -> d.findElements(by).stream().anyMatch(e -> e.getText().contains(text)));
        }

        void waitForText(String text) {
            until("text " + text, d -> bodyText().contains(text));
        }

        /** Waits until the iframe {@code frameId} (the UI renders Markdown in one) shows {@code text}. */
        void waitForTextInFrame(String frameId, String text) {
            until("text " + text + " in iframe " + frameId, d -> inFrame(frameId, () -> d.findElement(By.tagName("body")).getText().contains(text)));
        }

        /** Waits until the iframe {@code frameId} holds an element {@code by}. */
        void waitForInFrame(String frameId, By by) {
            until(by + " in iframe " + frameId, d -> inFrame(frameId, () -> !d.findElements(by).isEmpty()));
        }

        private boolean inFrame(String frameId, BooleanSupplier check) {
            List<WebElement> frames = browser.findElements(By.id(frameId));
            if (frames.isEmpty()) {
                return false;
            }
            try {
                browser.switchTo().frame(frames.get(0));
                return check.getAsBoolean();
            } finally {
                browser.switchTo().defaultContent();
            }
        }

        void click(By by) {
            WebElement element = until("clickable " + by, d -> d.findElements(by).stream()
                    .filter(e -> e.isDisplayed() && e.isEnabled()).findFirst().orElse(null));
            element.click();
        }

        String bodyText() {
            return browser.findElement(By.tagName("body")).getText();
        }

        <T> T until(String what, ExpectedCondition<T> condition) {
            try {
                return wait.until(condition);
            } catch (RuntimeException e) {
                String name = "ui-failure-" + System.currentTimeMillis();
                try {
                    Path dir = Files.createDirectories(Path.of("target"));
                    Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                    Files.writeString(dir.resolve(name + ".html"), browser.getPageSource());
                    Files.writeString(dir.resolve(name + ".txt"), browser.getCurrentUrl() + "\n\n" + bodyText());
                } catch (IOException | RuntimeException ignored) {
                    // the diagnostics are a courtesy; the wait's failure is what counts
                }
                throw new AssertionError("Temporal UI: waited " + UI_WAIT.toSeconds() + " s for " + what + " on "
                        + browser.getCurrentUrl() + " (page saved as target/" + name + ".*)", e);
            }
        }

        /** Saves the viewport as {@code <cmkflow.screenshots>/name} when that system property is set. */
        void screenshot(String name) throws IOException {
            String dir = System.getProperty("cmkflow.screenshots");
            if (dir != null && !dir.isBlank()) {
                Path folder = Files.createDirectories(Path.of(dir));
                Files.write(folder.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            }
        }
    }
}
